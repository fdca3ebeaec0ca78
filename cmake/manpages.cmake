# The manual pages of attnscope, attnscope-cli and attnscope-train, written at build time by
# help2man from the programs' own --help, so that they cannot drift from the programs, and
# installed compressed into man1. docs/man/<program>.h2m adds what --help does not say (a
# description, files, examples). Included by cmake/package.cmake once the programs exist.

find_program(HELP2MAN help2man)
if(NOT HELP2MAN)
  message(STATUS "help2man not found: the man pages are not built (install help2man; "
                 "scripts/deps.sh package does)")
  return()
endif()

set(ATTNSCOPE_MAN_DIR ${PROJECT_BINARY_DIR}/man)

# help2man reads GNU's layout ("Usage:", "  or:", "Options:", an explanation beside its term
# or indented 20 columns or more). The programs' help is laid out for a terminal instead, so
# it goes through this filter first; the words are left as they are. For a program with
# commands documented on the same page (attnscope export), their help becomes a section of
# its own and their usage lines join the synopsis.
file(CONFIGURE OUTPUT ${ATTNSCOPE_MAN_DIR}/help-for-man.pl @ONLY CONTENT [==[
# Prints the --help of a program (and of the commands given after it) laid out for help2man.
# usage: perl help-for-man.pl PROGRAM [COMMAND...]
use strict;
use warnings;

my ($program, @commands) = @ARGV;

# A help text, failing loudly rather than leaving a page without content.
sub help_text {
  open(my $fh, '-|', @_, '--help') or die "cannot run $_[0]: $!\n";
  local $/;
  my $text = <$fh>;
  close($fh) or die "'@_ --help' failed\n";
  return $text;
}

# Splits a help text into its usage lines (without "usage:" and without the short
# explanation some carry after a wide gap) and the rest.
sub split_usage {
  my @lines = split /\n/, shift;
  my @usage;
  if (@lines && $lines[0] =~ s/^usage:\s*//) {
    while (@lines && $lines[0] =~ /\S/) {
      my $line = shift @lines;
      $line =~ s/^\s+//;
      $line =~ s/\s{3,}.*//;
      push @usage, $line;
    }
  }
  shift @lines while @lines && $lines[0] !~ /\S/;
  return (\@usage, \@lines);
}

sub indent_of { $_[0] =~ /^( *)/; return length $1 }

# A term alone on its line with its explanation on the lines below, more deeply indented
# (the commands of attnscope-cli, a task of attnscope-train): help2man would make each of
# those lines a paragraph of its own. The part of the term wrapped onto the next lines
# (starting with "[") is joined to it, and the explanation indented 24 columns.
sub term_layout {
  my @in = @_;
  my @out;
  while (@in) {
    my $line = shift @in;
    my $indent = indent_of($line);
    if ($indent >= 1 && $indent <= 10 && $line !~ /\S  +\S/ && @in && $in[0] =~ /\S/ &&
        indent_of($in[0]) > $indent) {
      while (@in && indent_of($in[0]) > $indent && $in[0] =~ /^\s*\[/) {
        (my $more = shift @in) =~ s/^\s+//;
        $line .= " $more";
      }
      push @out, $line;
      while (@in && $in[0] =~ /\S/ && indent_of($in[0]) > $indent) {
        (my $more = shift @in) =~ s/^\s+//;
        push @out, (' ' x 24) . $more;
      }
      next;
    }
    push @out, $line;
  }
  return @out;
}

my ($usage, $body) = split_usage(help_text($program));
my @sections;
for my $command (@commands) {
  my ($command_usage, $command_body) = split_usage(help_text($program, $command));
  # The pointer to the command's own --help gives way to the command's usage lines.
  @$usage = grep { !/^\S+ \Q$command\E --help$/ } @$usage;
  push @$usage, @$command_usage;
  push @sections, "*$command*", '', term_layout(@$command_body), '';
}

print 'Usage: ', shift(@$usage), "\n";
print "  or: $_\n" for @$usage;
print "\n";
# Options straight after the usage are the program's options: help2man gives them a section.
my ($first) = grep { /\S/ } @$body;
print "Options:\n" if defined $first && $first =~ /^\s+-/;
print "$_\n" for term_layout(@$body), '', @sections;
]==])

# The date at the foot of each page: ATTNSCOPE_SOURCE_EPOCH (cmake/package.cmake).
set(man_env SOURCE_DATE_EPOCH=${ATTNSCOPE_SOURCE_EPOCH})

set(attnscope_man_name "see the attention inside a Transformer translation model, live")
set(attnscope-cli_man_name "translate, trace, score and inspect Transformer translation models")
set(attnscope-train_man_name "train Transformer translation models from scratch")
set(attnscope_man_commands export)

set(man_pages)
foreach(program attnscope attnscope-cli attnscope-train)
  # The app is left out of builds without the GUI.
  if(NOT TARGET ${program})
    continue()
  endif()
  # help2man runs "PROGRAM --help" and names the page after PROGRAM, so the filter is started
  # by a script of that name.
  set(filter_script ${ATTNSCOPE_MAN_DIR}/help/${program})
  string(JOIN " " commands ${${program}_man_commands})
  file(GENERATE OUTPUT ${filter_script}
       CONTENT "#!/bin/sh\nexec perl '${ATTNSCOPE_MAN_DIR}/help-for-man.pl' '$<TARGET_FILE:${program}>' ${commands}\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
  # The page's own additions name the installed folders, which depend on the prefix.
  set(include_file ${ATTNSCOPE_MAN_DIR}/${program}.h2m)
  configure_file(${PROJECT_SOURCE_DIR}/docs/man/${program}.h2m ${include_file} @ONLY)
  set(page ${ATTNSCOPE_MAN_DIR}/${program}.1)
  # The version is given rather than read from --version, which also names the commit: the
  # page would change with every commit and carry a -dirty from a work tree.
  add_custom_command(
    OUTPUT ${page}.gz
    COMMAND ${CMAKE_COMMAND} -E env ${man_env}
            ${HELP2MAN} --no-info --section 1 --name ${${program}_man_name}
                        --source "attnscope ${PROJECT_VERSION}"
                        --version-string ${PROJECT_VERSION}
                        --include ${include_file} --output ${page} ${filter_script}
    # Debian's way: best compression, no file name or time stamp inside.
    COMMAND gzip -9nf ${page}
    DEPENDS ${program} ${filter_script} ${ATTNSCOPE_MAN_DIR}/help-for-man.pl ${include_file}
    COMMENT "Writing the man page of ${program}"
    VERBATIM)
  list(APPEND man_pages ${page}.gz)
endforeach()

if(man_pages)
  add_custom_target(attnscope_manpages ALL DEPENDS ${man_pages})
  install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
