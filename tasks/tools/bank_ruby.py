"""Ruby tasks of the sample bank."""
from bank import d, task

task(
    id="rb-caesar-easy", language="ruby", scenario="code-generation", difficulty="easy",
    prompt="""
        In solution.rb define caesar(text, shift): shift ASCII letters by `shift` places
        (any integer, negative too), wrapping within a-z and A-Z and keeping case; every
        other character is unchanged.
    """,
    files={"solution.rb": "def caesar(text, shift)\nend\n"},
    tests={"test_solution.rb": d('''
        require "minitest/autorun"
        require_relative "solution"

        class TestCaesar < Minitest::Test
          def test_simple_shift
            assert_equal "bcd", caesar("abc", 1)
          end

          def test_wraps
            assert_equal "abc", caesar("xyz", 3)
          end

          def test_keeps_case_and_punctuation
            assert_equal "Khoor, Zruog!", caesar("Hello, World!", 3)
          end

          def test_negative_and_large_shifts
            assert_equal "xyz", caesar("abc", -3)
            assert_equal "bcd", caesar("abc", 53)
          end

          def test_non_ascii_untouched
            assert_equal "é ü 1", caesar("é ü 1", 5)
          end
        end
        ''')},
    reference={"solution.rb": d('''
        # Caesar-shifts the ASCII letters of text by shift places, keeping case.
        def caesar(text, shift)
          text.gsub(/[a-zA-Z]/) do |ch|
            base = ch.ord < 97 ? 65 : 97
            (((ch.ord - base + shift) % 26) + base).chr
          end
        end
        ''')},
    off_by_one={"solution.rb": d('''
        def caesar(text, shift)
          text.gsub(/[a-zA-Z]/) do |ch|
            base = ch.ord < 97 ? 65 : 97
            (((ch.ord - base + shift) % 25) + base).chr
          end
        end
        ''')},
    off_by_one_fails=["TestCaesar.test_wraps", "TestCaesar.test_negative_and_large_shifts"],
)

task(
    id="rb-flatten-refactor-medium", language="ruby", scenario="refactoring", difficulty="medium",
    prompt="""
        deep_flatten(obj) in solution.rb flattens nested arrays and hashes (hash values only,
        in insertion order) into one array. It works but is a tangle of flags and index
        loops. Refactor it into idiomatic Ruby (recursion or each_with_object, no manual
        index bookkeeping) with the same behaviour; nil elements are kept, strings are not
        split.
    """,
    files={"solution.rb": d('''
        def deep_flatten(obj)
          result = []
          stack = [obj]
          done = false
          while !done
            if stack.length == 0
              done = true
            else
              item = stack.pop
              if item.is_a?(Array)
                i = item.length - 1
                while i >= 0
                  stack.push(item[i])
                  i = i - 1
                end
              elsif item.is_a?(Hash)
                vals = item.values
                i = vals.length - 1
                while i >= 0
                  stack.push(vals[i])
                  i = i - 1
                end
              else
                result.push(item)
              end
            end
          end
          result
        end
        ''')},
    tests={"test_solution.rb": d('''
        require "minitest/autorun"
        require_relative "solution"

        class TestDeepFlatten < Minitest::Test
          def test_nested_arrays
            assert_equal [1, 2, 3, 4], deep_flatten([1, [2, [3, [4]]]])
          end

          def test_hashes_values_in_order
            assert_equal [1, 2, 3], deep_flatten({ a: 1, b: { c: 2, d: [3] } })
          end

          def test_scalars_and_nils
            assert_equal [nil, "ab", :x], deep_flatten([nil, ["ab"], { k: :x }])
          end

          def test_scalar_root
            assert_equal [5], deep_flatten(5)
          end

          def test_empty
            assert_equal [], deep_flatten([[], {}])
          end

          def test_deep
            obj = 2000.times.reduce([0]) { |acc, _| [acc] }
            assert_equal [0], deep_flatten(obj)
          end
        end
        ''')},
    reference={"solution.rb": d('''
        # Flattens nested arrays and hash values (in insertion order) into one array.
        def deep_flatten(obj, into = [])
          case obj
          when Array then obj.each { |item| deep_flatten(item, into) }
          when Hash then obj.each_value { |item| deep_flatten(item, into) }
          else into << obj
          end
          into
        end
        ''')},
    off_by_one={"solution.rb": d('''
        def deep_flatten(obj)
          case obj
          when Array then obj.flatten
          when Hash then obj.values.flat_map { |v| deep_flatten(v) }
          else [obj]
          end
        end
        ''')},
    off_by_one_fails=["TestDeepFlatten.test_scalars_and_nils"],
)

task(
    id="rb-group-anagrams-hard", language="ruby", scenario="code-review", difficulty="hard",
    prompt="""
        Review group_anagrams(words) in solution.rb. The reviewer noted: it is O(n^2) (it
        compares every pair), it mutates its argument, it treats "Listen" and "silent" as
        different (should be case-insensitive), and it loses duplicates. Fix every point.
        Groups keep input order and are ordered by their first word.
    """,
    files={"solution.rb": d('''
        def group_anagrams(words)
          groups = []
          while words.any?
            w = words.shift
            group = [w]
            words.each do |other|
              group << other if other.chars.sort == w.chars.sort && !group.include?(other)
            end
            words.reject! { |o| o.chars.sort == w.chars.sort }
            groups << group
          end
          groups
        end
        ''')},
    tests={"test_solution.rb": d('''
        require "minitest/autorun"
        require_relative "solution"

        class TestGroupAnagrams < Minitest::Test
          def test_groups
            assert_equal [%w[eat tea ate], %w[tan nat], %w[bat]], group_anagrams(%w[eat tea tan ate nat bat])
          end

          def test_case_insensitive
            assert_equal [%w[Listen silent]], group_anagrams(%w[Listen silent])
          end

          def test_duplicates_kept
            assert_equal [%w[ab ba ab]], group_anagrams(%w[ab ba ab])
          end

          def test_argument_untouched
            words = %w[a b a]
            group_anagrams(words)
            assert_equal %w[a b a], words
          end

          def test_large_input_is_fast
            words = Array.new(20_000) { |i| (i % 500).to_s(36).chars.shuffle(random: Random.new(i)).join }
            assert_equal 500, group_anagrams(words).sum(&:size) / 40
          end
        end
        ''')},
    reference={"solution.rb": d('''
        # Groups anagrams (case-insensitive), keeping input order and duplicates. O(n k log k).
        def group_anagrams(words)
          words.group_by { |w| w.downcase.chars.sort }.values
        end
        ''')},
    off_by_one={"solution.rb": d('''
        def group_anagrams(words)
          words.uniq.group_by { |w| w.downcase.chars.sort }.values
        end
        ''')},
    off_by_one_fails=["TestGroupAnagrams.test_duplicates_kept", "TestGroupAnagrams.test_large_input_is_fast"],
)

SLUG = d('''
    # Returns a "Title Case" string: every word capitalised except the small words
    # a, an, and, of, the, in, on (lower case unless first or last). Words are split on
    # single spaces; empty input gives "".
    def title_case(text)
      small = %w[a an and of the in on]
      words = text.downcase.split(" ")
      words.each_with_index.map do |w, i|
        if i.positive? && i < words.size - 1 && small.include?(w)
          w
        else
          w.capitalize
        end
      end.join(" ")
    end
    ''')
task(
    id="rb-title-case-tests-easy", language="ruby", scenario="test-generation", difficulty="easy",
    prompt="""
        solution.rb holds title_case(text) (read its comment). Write test_solution.rb, a
        minitest suite (`require "minitest/autorun"`, `require_relative "solution"`) that
        passes on it and catches bugs in it.
    """,
    files={"solution.rb": SLUG},
    tests={},
    reference={"test_solution.rb": d('''
        require "minitest/autorun"
        require_relative "solution"

        class TestTitleCase < Minitest::Test
          def test_basic
            assert_equal "The Lord of the Rings", title_case("the lord of the rings")
          end

          def test_small_word_last
            assert_equal "What It Is On", title_case("what it is on")
          end

          def test_mixed_case_input
            assert_equal "War and Peace", title_case("WAR AND PEACE")
          end

          def test_empty
            assert_equal "", title_case("")
          end

          def test_single_small_word
            assert_equal "A", title_case("a")
          end
        end
        ''')},
    mutants=[
        {"id": "first-word-small", "files": {"solution.rb": SLUG.replace("if i.positive? && ", "if ")}},
        {"id": "no-downcase", "files": {"solution.rb": SLUG.replace("text.downcase.split", "text.split")}},
        {"id": "last-word-small", "files": {"solution.rb": SLUG.replace(" && i < words.size - 1", "")}},
    ],
    off_by_one={"test_solution.rb": d('''
        require "minitest/autorun"
        require_relative "solution"

        class TestTitleCase < Minitest::Test
          def test_basic
            assert_equal "Hello World", title_case("hello world")
          end
        end
        ''')},
    off_by_one_fails=[0],
)
