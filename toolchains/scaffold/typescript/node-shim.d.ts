// Crucible: minimal Node.js typings for TypeScript workspaces.
// The node has no @types/node (no npm registry); this declares just what solutions
// and node:test suites use. Copied to .crucible/node-shim.d.ts and compiled with
// every TypeScript step. Keep it dependency-free and small.

declare module "node:test" {
  interface TestOptions {
    skip?: boolean | string;
    todo?: boolean | string;
    only?: boolean;
    timeout?: number;
    concurrency?: number | boolean;
  }
  interface TestContext {
    readonly name: string;
    test: TestFunction;
    skip(message?: string): void;
    todo(message?: string): void;
    diagnostic(message: string): void;
  }
  type TestBody = (t: TestContext, done: (err?: unknown) => void) => unknown;
  type SuiteBody = (s: unknown) => unknown;
  interface TestFunction {
    (name: string, fn?: TestBody): Promise<void>;
    (name: string, options: TestOptions, fn?: TestBody): Promise<void>;
    (options: TestOptions, fn?: TestBody): Promise<void>;
    (fn: TestBody): Promise<void>;
    skip(name: string, fn?: TestBody): Promise<void>;
    todo(name: string, fn?: TestBody): Promise<void>;
    only(name: string, fn?: TestBody): Promise<void>;
  }
  interface SuiteFunction {
    (name: string, fn?: SuiteBody): Promise<void>;
    (name: string, options: TestOptions, fn?: SuiteBody): Promise<void>;
    skip(name: string, fn?: SuiteBody): Promise<void>;
    todo(name: string, fn?: SuiteBody): Promise<void>;
    only(name: string, fn?: SuiteBody): Promise<void>;
  }
  type HookFn = (t: TestContext) => unknown;
  export const test: TestFunction;
  export const it: TestFunction;
  export const describe: SuiteFunction;
  export const suite: SuiteFunction;
  export function before(fn: HookFn): void;
  export function after(fn: HookFn): void;
  export function beforeEach(fn: HookFn): void;
  export function afterEach(fn: HookFn): void;
  export default test;
}

declare module "node:assert" {
  type ErrorMatcher = RegExp | Function | object | Error;
  function assert(value: unknown, message?: string | Error): asserts value;
  namespace assert {
    class AssertionError extends Error {
      actual: unknown;
      expected: unknown;
      operator: string;
      generatedMessage: boolean;
      code: "ERR_ASSERTION";
      constructor(options?: { message?: string; actual?: unknown; expected?: unknown; operator?: string });
    }
    function ok(value: unknown, message?: string | Error): asserts value;
    function fail(message?: string | Error): never;
    function equal(actual: unknown, expected: unknown, message?: string | Error): void;
    function notEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    function strictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    function notStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    function deepEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    function notDeepEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    function deepStrictEqual<T>(actual: unknown, expected: T, message?: string | Error): asserts actual is T;
    function notDeepStrictEqual(actual: unknown, expected: unknown, message?: string | Error): void;
    function throws(block: () => unknown, error?: ErrorMatcher | string, message?: string | Error): void;
    function doesNotThrow(block: () => unknown, message?: string | Error): void;
    function rejects(block: (() => Promise<unknown>) | Promise<unknown>, error?: ErrorMatcher | string, message?: string | Error): Promise<void>;
    function doesNotReject(block: (() => Promise<unknown>) | Promise<unknown>, message?: string | Error): Promise<void>;
    function match(value: string, regExp: RegExp, message?: string | Error): void;
    function doesNotMatch(value: string, regExp: RegExp, message?: string | Error): void;
    const strict: typeof assert;
  }
  export = assert;
}
declare module "node:assert/strict" {
  import assert = require("node:assert");
  export = assert;
}
declare module "assert" {
  import assert = require("node:assert");
  export = assert;
}

declare module "node:fs" {
  export function readFileSync(path: string | number): { toString(encoding?: string): string };
  export function readFileSync(path: string | number, encoding: "utf8" | "utf-8" | { encoding: "utf8" | "utf-8" }): string;
  export function writeFileSync(path: string | number, data: string): void;
  export function existsSync(path: string): boolean;
}
declare module "fs" {
  export * from "node:fs";
}

interface CrucibleReadable {
  setEncoding(encoding: string): void;
  on(event: "data", listener: (chunk: string) => void): this;
  on(event: "end" | "close", listener: () => void): this;
  on(event: string, listener: (...args: unknown[]) => void): this;
}
interface CrucibleWritable {
  write(chunk: string): boolean;
}
declare var process: {
  argv: string[];
  env: Record<string, string | undefined>;
  exitCode: number | undefined;
  exit(code?: number): never;
  stdin: CrucibleReadable;
  stdout: CrucibleWritable;
  stderr: CrucibleWritable;
  hrtime: { bigint(): bigint };
  nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void;
};
declare var console: {
  log(...data: unknown[]): void;
  error(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
};
declare function require(id: string): any;
declare var module: { exports: any };
declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): unknown;
declare function clearTimeout(id: unknown): void;
declare function setInterval(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): unknown;
declare function clearInterval(id: unknown): void;
declare function setImmediate(handler: (...args: unknown[]) => void, ...args: unknown[]): unknown;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T): T;
