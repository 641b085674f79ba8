# frozen_string_literal: true

# Crucible: a minitest reporter that writes one JUnit XML report.
#
# Loaded with `ruby -I.crucible -rcrucible_junit test_solution.rb`, before the test file
# requires minitest/autorun. It registers itself as the only minitest plugin (so no
# other installed plugin can change the run) and writes the report to the path in
# CRUCIBLE_JUNIT (default .crucible/junit.xml) when the run ends, next to minitest's
# usual progress output on stdout. Uses only the standard library and minitest 5.
require "minitest"

module Minitest
  # One <testcase> per test: classname = test class, name = test method.
  class CrucibleJUnitReporter < AbstractReporter
    def initialize(path)
      super()
      @path = path
      @results = []
      @started = nil
    end

    def start
      @started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    def record(result)
      @results << result
    end

    def passed?
      true # the summary reporter decides the exit code
    end

    def report
      elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - (@started || 0)
      failures = @results.count { |r| r.failure && !r.skipped? && !r.error? }
      errors = @results.count(&:error?)
      skipped = @results.count(&:skipped?)
      out = +%(<?xml version="1.0" encoding="UTF-8"?>\n)
      out << %(<testsuites>\n)
      out << %(<testsuite name="minitest" tests="#{@results.size}" failures="#{failures}" ) <<
        %(errors="#{errors}" skipped="#{skipped}" time="#{format('%.6f', elapsed)}">\n)
      @results.each { |r| out << testcase(r) }
      out << %(</testsuite>\n</testsuites>\n)
      dir = File.dirname(@path)
      Dir.mkdir(dir) unless Dir.exist?(dir)
      File.write(@path, out)
    end

    private

    def testcase(result)
      klass = result.respond_to?(:klass) ? result.klass : result.class.name
      file, line = result.respond_to?(:source_location) ? result.source_location : [nil, nil]
      attrs = %(classname="#{esc(klass)}" name="#{esc(result.name)}" time="#{format('%.6f', result.time)}")
      attrs << %( file="#{esc(File.basename(file.to_s))}" line="#{line}") if file
      failure = result.failure
      return %(  <testcase #{attrs}/>\n) unless failure

      tag = if result.skipped? then "skipped"
            elsif result.error? then "error"
            else "failure"
            end
      detail = failure.respond_to?(:location) ? "#{failure.location}\n" : ""
      detail << failure.message.to_s
      %(  <testcase #{attrs}><#{tag} type="#{esc(failure.class.name)}" message="#{esc(failure.message.to_s)}">) <<
        %(#{esc(detail)}</#{tag}></testcase>\n)
    end

    def esc(value)
      value.to_s.encode("UTF-8", invalid: :replace, undef: :replace)
           .gsub(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/, "?")
           .gsub("&", "&amp;").gsub("<", "&lt;").gsub(">", "&gt;").gsub('"', "&quot;")
    end
  end

  def self.plugin_crucible_junit_init(_options)
    reporter << CrucibleJUnitReporter.new(ENV.fetch("CRUCIBLE_JUNIT", ".crucible/junit.xml"))
  end
end

# Registering an extension before minitest/autorun runs makes Minitest.load_plugins a
# no-op, so gems' minitest/*_plugin.rb files are not loaded: the run is reproducible.
Minitest.extensions << "crucible_junit" unless Minitest.extensions.include?("crucible_junit")
