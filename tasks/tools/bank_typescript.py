"""TypeScript tasks of the sample bank."""
from bank import d, task

task(
    id="ts-binary-search-easy", language="typescript", scenario="debugging", difficulty="easy",
    prompt="""
        binarySearch(sorted, target) in solution.ts should return the index of target in the
        ascending array `sorted`, or -1. It misses the last element and loops forever on some
        inputs. Fix it; keep the exported signature.
    """,
    files={"solution.ts": d('''
        export function binarySearch(sorted: number[], target: number): number {
          let lo = 0;
          let hi = sorted.length - 1;
          while (lo < hi) {
            const mid = Math.floor((lo + hi) / 2);
            if (sorted[mid] === target) return mid;
            if (sorted[mid] < target) lo = mid;
            else hi = mid - 1;
          }
          return -1;
        }
        ''')},
    tests={"solution.test.ts": d('''
        import { test } from "node:test";
        import assert from "node:assert/strict";
        import { binarySearch } from "./solution.js";

        test("finds every element", () => {
          const xs = [1, 3, 5, 7, 9, 11];
          xs.forEach((x, i) => assert.equal(binarySearch(xs, x), i));
        });
        test("missing values", () => {
          const xs = [1, 3, 5, 7];
          for (const x of [0, 2, 4, 6, 8]) assert.equal(binarySearch(xs, x), -1);
        });
        test("empty array", () => assert.equal(binarySearch([], 1), -1));
        test("single element", () => {
          assert.equal(binarySearch([4], 4), 0);
          assert.equal(binarySearch([4], 5), -1);
        });
        test("large array", () => {
          const xs = Array.from({ length: 100001 }, (_, i) => i * 2);
          assert.equal(binarySearch(xs, 200000), 100000);
          assert.equal(binarySearch(xs, 199999), -1);
        });
        ''')},
    reference={"solution.ts": d('''
        /** Index of `target` in ascending `sorted`, or -1. O(log n). */
        export function binarySearch(sorted: number[], target: number): number {
          let lo = 0;
          let hi = sorted.length - 1;
          while (lo <= hi) {
            const mid = lo + Math.floor((hi - lo) / 2);
            const value = sorted[mid];
            if (value === target) return mid;
            if (value < target) lo = mid + 1;
            else hi = mid - 1;
          }
          return -1;
        }
        ''')},
    off_by_one={"solution.ts": d('''
        export function binarySearch(sorted: number[], target: number): number {
          let lo = 0;
          let hi = sorted.length - 1;
          while (lo < hi) {
            const mid = lo + Math.floor((hi - lo) / 2);
            const value = sorted[mid];
            if (value === target) return mid;
            if (value < target) lo = mid + 1;
            else hi = mid - 1;
          }
          return -1;
        }
        ''')},
    off_by_one_fails=["finds every element", "single element", "large array"],
)

task(
    id="ts-lru-cache-hard", language="typescript", scenario="code-generation", difficulty="hard",
    prompt="""
        Implement `export class LRUCache<K, V>` in solution.ts: constructor(capacity: number)
        (a positive integer, else throw RangeError), get(key): V | undefined (marks the key most
        recently used), set(key, value): void (inserting past capacity evicts the least
        recently used key), has(key) (does not change recency), delete(key): boolean, and a
        `size` getter. All operations O(1).
    """,
    files={"solution.ts": "export class LRUCache<K, V> {}\n"},
    tests={"solution.test.ts": d('''
        import { describe, it } from "node:test";
        import assert from "node:assert/strict";
        import { LRUCache } from "./solution.js";

        describe("LRUCache", () => {
          it("evicts the least recently used", () => {
            const c = new LRUCache<string, number>(2);
            c.set("a", 1);
            c.set("b", 2);
            c.get("a");
            c.set("c", 3);
            assert.equal(c.has("b"), false);
            assert.equal(c.get("a"), 1);
            assert.equal(c.get("c"), 3);
          });
          it("set refreshes recency and value", () => {
            const c = new LRUCache<string, number>(2);
            c.set("a", 1);
            c.set("b", 2);
            c.set("a", 10);
            c.set("c", 3);
            assert.equal(c.get("a"), 10);
            assert.equal(c.has("b"), false);
          });
          it("has does not touch recency", () => {
            const c = new LRUCache<number, string>(2);
            c.set(1, "x");
            c.set(2, "y");
            c.has(1);
            c.set(3, "z");
            assert.equal(c.has(1), false);
          });
          it("size and delete", () => {
            const c = new LRUCache<number, number>(3);
            c.set(1, 1);
            c.set(2, 2);
            assert.equal(c.size, 2);
            assert.equal(c.delete(1), true);
            assert.equal(c.delete(1), false);
            assert.equal(c.size, 1);
          });
          it("capacity one", () => {
            const c = new LRUCache<string, number>(1);
            c.set("a", 1);
            c.set("b", 2);
            assert.equal(c.get("a"), undefined);
            assert.equal(c.get("b"), 2);
          });
          it("rejects bad capacity", () => {
            assert.throws(() => new LRUCache(0), RangeError);
            assert.throws(() => new LRUCache(1.5), RangeError);
          });
          it("is fast", () => {
            const c = new LRUCache<number, number>(1000);
            for (let i = 0; i < 200000; i++) {
              c.set(i, i);
              c.get(i - 500);
            }
            assert.equal(c.size, 1000);
          });
        });
        ''')},
    reference={"solution.ts": d('''
        /** A least-recently-used cache; a Map keeps insertion order, which is recency order here. */
        export class LRUCache<K, V> {
          private readonly entries = new Map<K, V>();

          constructor(private readonly capacity: number) {
            if (!Number.isInteger(capacity) || capacity < 1) {
              throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
            }
          }

          get size(): number {
            return this.entries.size;
          }

          has(key: K): boolean {
            return this.entries.has(key);
          }

          get(key: K): V | undefined {
            if (!this.entries.has(key)) return undefined;
            const value = this.entries.get(key) as V;
            this.entries.delete(key);
            this.entries.set(key, value);
            return value;
          }

          set(key: K, value: V): void {
            this.entries.delete(key);
            this.entries.set(key, value);
            if (this.entries.size > this.capacity) {
              const oldest = this.entries.keys().next().value as K;
              this.entries.delete(oldest);
            }
          }

          delete(key: K): boolean {
            return this.entries.delete(key);
          }
        }
        ''')},
    off_by_one={"solution.ts": d('''
        export class LRUCache<K, V> {
          private readonly entries = new Map<K, V>();

          constructor(private readonly capacity: number) {
            if (capacity < 1) throw new RangeError("capacity");
          }

          get size(): number {
            return this.entries.size;
          }

          has(key: K): boolean {
            return this.entries.has(key);
          }

          get(key: K): V | undefined {
            return this.entries.get(key);
          }

          set(key: K, value: V): void {
            if (this.entries.size >= this.capacity && !this.entries.has(key)) {
              const oldest = this.entries.keys().next().value as K;
              this.entries.delete(oldest);
            }
            this.entries.set(key, value);
          }

          delete(key: K): boolean {
            return this.entries.delete(key);
          }
        }
        ''')},
    off_by_one_fails=["LRUCache > evicts the least recently used", "LRUCache > set refreshes recency and value",
                      "LRUCache > rejects bad capacity"],
)

task(
    id="ts-slugify-docs-medium", language="typescript", scenario="documentation", difficulty="medium",
    prompt="""
        Document solution.ts: give every exported function a TSDoc comment (/** ... */ directly
        above it) that says what it returns and includes at least one @param per parameter
        and an @example. Do not change behaviour: the hidden tests check both.
    """,
    files={"solution.ts": d('''
        export function slugify(title: string, maxLength = 60): string {
          const slug = title
            .normalize("NFKD")
            .replace(/[\\u0300-\\u036f]/g, "")
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "");
          return slug.slice(0, maxLength).replace(/-+$/g, "");
        }

        export function uniqueSlug(title: string, taken: Set<string>): string {
          const base = slugify(title) || "item";
          let slug = base;
          for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
          return slug;
        }
        ''')},
    tests={"solution.test.ts": d('''
        import { test } from "node:test";
        import assert from "node:assert/strict";
        import { readFileSync } from "node:fs";
        import { slugify, uniqueSlug } from "./solution.js";

        const source = readFileSync("solution.ts", "utf8");

        function docOf(name: string): string {
          const m = new RegExp(`/\\\\*\\\\*([\\\\s\\\\S]*?)\\\\*/\\\\s*export function ${name}\\\\b`).exec(source);
          return m ? m[1] : "";
        }

        test("slugify behaviour kept", () => {
          assert.equal(slugify("Hello, World!"), "hello-world");
          assert.equal(slugify("  Crème Brûlée  "), "creme-brulee");
          assert.equal(slugify("a".repeat(10) + " b", 10), "aaaaaaaaaa");
          assert.equal(slugify("ab cd", 3), "ab");
        });
        test("uniqueSlug behaviour kept", () => {
          assert.equal(uniqueSlug("Post", new Set(["post", "post-2"])), "post-3");
          assert.equal(uniqueSlug("!!!", new Set()), "item");
        });
        test("slugify documented", () => {
          const doc = docOf("slugify");
          assert.ok(doc.length > 40, "a TSDoc block above slugify");
          assert.match(doc, /@param\\s+title/);
          assert.match(doc, /@param\\s+maxLength/);
          assert.match(doc, /@example/);
          assert.match(doc, /@returns?/);
        });
        test("uniqueSlug documented", () => {
          const doc = docOf("uniqueSlug");
          assert.match(doc, /@param\\s+title/);
          assert.match(doc, /@param\\s+taken/);
          assert.match(doc, /@example/);
        });
        ''')},
    reference={"solution.ts": d('''
        /**
         * Turns a title into a URL slug: accents stripped, lower case, runs of anything but
         * letters and digits collapsed to one "-", no leading or trailing "-".
         *
         * @param title - the human-readable title
         * @param maxLength - the longest slug to return (cut at a character, trailing "-" removed)
         * @returns the slug, possibly empty when the title has no letters or digits
         * @example
         * slugify("Crème Brûlée, 2nd edition") // "creme-brulee-2nd-edition"
         */
        export function slugify(title: string, maxLength = 60): string {
          const slug = title
            .normalize("NFKD")
            .replace(/[\\u0300-\\u036f]/g, "")
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "");
          return slug.slice(0, maxLength).replace(/-+$/g, "");
        }

        /**
         * A slug for `title` that is not in `taken`: the plain slug, else "-2", "-3", ...
         * appended. Titles without letters or digits become "item".
         *
         * @param title - the human-readable title
         * @param taken - slugs already in use (not modified)
         * @returns a slug not in `taken`
         * @example
         * uniqueSlug("Post", new Set(["post"])) // "post-2"
         */
        export function uniqueSlug(title: string, taken: Set<string>): string {
          const base = slugify(title) || "item";
          let slug = base;
          for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
          return slug;
        }
        ''')},
    off_by_one={"solution.ts": d('''
        /**
         * Turns a title into a URL slug.
         *
         * @param title - the title
         * @param maxLength - maximum length
         * @returns the slug
         * @example
         * slugify("Hello") // "hello"
         */
        export function slugify(title: string, maxLength = 60): string {
          const slug = title
            .normalize("NFKD")
            .replace(/[\\u0300-\\u036f]/g, "")
            .toLowerCase()
            .replace(/[^a-z0-9]+/g, "-")
            .replace(/^-+|-+$/g, "");
          return slug.slice(0, maxLength);
        }

        // Finds a free slug.
        export function uniqueSlug(title: string, taken: Set<string>): string {
          const base = slugify(title) || "item";
          let slug = base;
          for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
          return slug;
        }
        ''')},
    off_by_one_fails=["slugify behaviour kept", "uniqueSlug documented"],
)
