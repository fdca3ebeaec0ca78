// Text exports of a Trace (see export.h).
#include "views/export_formats.h"

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

std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string trace_json(const Trace& trace, const ModelBundle& bundle, bool generated) {
  const Config& config = bundle.model.config();
  Json out;
  out["model"] = bundle.dir;
  out["layers"] = {{"encoder", config.num_encoder_layers}, {"decoder", config.num_decoder_layers}};
  out["heads"] = config.nhead;
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
