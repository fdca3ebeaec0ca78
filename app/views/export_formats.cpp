// Text exports of a Trace and of an explanation (see export_formats.h).
#include "views/export_formats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace attnscope {

namespace {

using Json = nlohmann::ordered_json;

Json matrix_json(const Matrix& m) {
  Json rows = Json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    rows.push_back(std::vector<float>(m.row(i).data(), m.row(i).data() + m.cols()));
  }
  return rows;
}

Json record_json(const AttentionRecord& record) {
  Json heads = Json::array();
  for (const Matrix& head : record.heads)
    heads.push_back(matrix_json(head));
  return heads;
}

std::vector<float> row_vector(const RowVector& v) {
  return std::vector<float>(v.data(), v.data() + v.size());
}

// A number rounded to `digits` decimals, right-aligned in `width` characters.
std::string fixed(float value, int digits, int width) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%*.*f", width, digits, static_cast<double>(value));
  return buffer;
}

// "[ 0.120, -0.530, ... ]" with every number, or the first `limit` and how many more.
std::string vector_text(const RowVector& v, int digits, Eigen::Index limit = 16) {
  std::string out = "[";
  const Eigen::Index shown = std::min(v.size(), limit);
  for (Eigen::Index i = 0; i < shown; ++i)
    out += (i ? ", " : " ") + fixed(v[i], digits, 0);
  if (shown < v.size()) out += ", ... (" + std::to_string(v.size() - shown) + " more)";
  return out + " ]";
}

// Characters a UTF-8 string takes on a terminal line (one per code point).
size_t text_width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string trace_json(const Trace& trace, const ModelBundle& bundle, bool generated,
                       const HeadMask& mask) {
  const Config& config = bundle.model.config();
  Json out;
  out["model"] = bundle.dir;
  out["layers"] = {{"encoder", config.num_encoder_layers}, {"decoder", config.num_decoder_layers}};
  out["heads"] = config.nhead;
  if (!mask.empty()) out["mask_heads"] = to_string(mask);
  out["src_tokens"] = trace.src_tokens;
  out["src_ids"] = trace.src_ids;
  out["tgt_tokens"] = trace.tgt_tokens;
  out["tgt_ids"] = trace.tgt_ids;
  out["output_ids"] = trace.output_ids;
  std::vector<std::string> output_tokens;
  for (int id : trace.output_ids)
    output_tokens.push_back(bundle.tgt_vocab.token(id));
  out["output_tokens"] = output_tokens;
  out["generated"] = generated;
  if (generated) out["translation"] = bundle.detokenize_target(trace.output_ids);
  Json attention = Json::object();
  for (size_t l = 0; l < trace.encoder_self.size(); ++l) {
    attention["encoder." + std::to_string(l) + ".self"] = record_json(trace.encoder_self[l]);
  }
  for (size_t l = 0; l < trace.cross.size(); ++l) {
    attention["decoder." + std::to_string(l) + ".self"] = record_json(trace.decoder_self[l]);
    attention["decoder." + std::to_string(l) + ".cross"] = record_json(trace.cross[l]);
  }
  out["attention"] = std::move(attention);
  // Tokens are valid UTF-8 (the tokenizer and vocabularies guarantee it); replace rather
  // than throw should a hand-made Trace hold something else.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string explanation_json(const Explanation& e) {
  Json out;
  out["kind"] = to_string(e.kind);
  out["layer"] = e.layer;
  out["head"] = e.head;
  out["query"] = e.query;
  out["head_dim"] = e.head_dim;
  out["query_token"] = e.query_token;
  out["key_tokens"] = e.key_tokens;
  out["q"] = row_vector(e.q);
  out["k"] = matrix_json(e.k);
  out["v"] = matrix_json(e.v);
  out["scores"] = row_vector(e.scores);
  out["scale"] = e.scale;
  out["scaled"] = row_vector(e.scaled);
  out["masked"] = e.masked;
  out["weights"] = row_vector(e.weights);
  out["output"] = row_vector(e.output);
  out["block_output"] = row_vector(e.block_output);
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string explanation_text(const Explanation& e, int digits) {
  std::string title = names_of(e.kind).title;
  title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
  std::string out;
  out += title + ", layer " + std::to_string(e.layer) + ", head " + std::to_string(e.head) +
         ": how \"" + e.query_token + "\" (query " + std::to_string(e.query) +
         ") looks at the keys\n\n";
  out += "  weights = softmax(q · Kᵀ / √d_k)        output = Σ_j w_j v_j\n";
  out += "  d_k = " + std::to_string(e.head_dim) + ", 1/√d_k = " + fixed(e.scale, 4, 0) + "\n\n";
  out += "q (\"" + e.query_token + "\") = " + vector_text(e.q, digits) + "\n\n";
  size_t key_width = 3;
  for (const std::string& token : e.key_tokens)
    key_width = std::max(key_width, text_width(token));
  const int number = digits + 5;
  const auto pad = [](const std::string& s, size_t width) {
    return s + std::string(width > text_width(s) ? width - text_width(s) : 0, ' ');
  };
  const auto right = [](const std::string& s, size_t width) {
    return std::string(width > text_width(s) ? width - text_width(s) : 0, ' ') + s;
  };
  out += pad("key", key_width) + "  " + right("q·k_j", number) + "  " + right("× 1/√d_k", number) +
         "  weight\n";
  for (size_t j = 0; j < e.key_tokens.size(); ++j) {
    const Eigen::Index jj = static_cast<Eigen::Index>(j);
    out += pad(e.key_tokens[j], key_width) + "  ";
    if (e.masked[j]) {
      out += right("masked", number) + "  " + right("", number) + "  " + fixed(0.0f, digits, 0);
    } else {
      const int bar = static_cast<int>(std::lround(e.weights[jj] * 20.0f));
      out += fixed(e.scores[jj], digits, number) + "  " + fixed(e.scaled[jj], digits, number) +
             "  " + fixed(e.weights[jj], digits, 0);
      if (bar > 0) out += "  ";
      for (int b = 0; b < bar; ++b)
        out += "█";
    }
    out += "\n";
  }
  out += "\noutput = Σ_j w_j v_j = " + vector_text(e.output, digits) + "\n";
  out += "block output = [all heads' outputs] W_oᵀ + b_o = " + vector_text(e.block_output, digits) +
         "\n";
  return out;
}

std::string matrix_csv(const Matrix& m, const std::vector<std::string>& query_tokens,
                       const std::vector<std::string>& key_tokens) {
  std::string out = "\"query\\key\"";
  for (const std::string& token : key_tokens)
    out += "," + csv_quote(token);
  out += "\n";
  char buffer[32];
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    out += csv_quote(i < static_cast<Eigen::Index>(query_tokens.size()) ? query_tokens[i] : "");
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      std::snprintf(buffer, sizeof buffer, ",%.9g", m(i, j));
      out += buffer;
    }
    out += "\n";
  }
  return out;
}

}  // namespace attnscope
