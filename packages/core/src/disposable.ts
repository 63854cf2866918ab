// `await using` needs `Symbol.asyncDispose`, which TypeScript declares only in
// its `esnext.disposable` lib. Declaring the one member used here (as
// @types/node does) lets a program whose `lib` lacks it, a browser app with
// `["ES2022", "DOM"]`, type-check these declarations; with the lib it merges.
declare global {
  interface SymbolConstructor {
    /** The method `await using` calls at the end of the scope. */
    readonly asyncDispose: unique symbol;
  }
}

export {};
