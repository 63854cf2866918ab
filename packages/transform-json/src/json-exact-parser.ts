/** A syntax error found by `parseJsonExact`, at character `index` of the text. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly index: number,
  ) {
    super(reason);
  }
}

/**
 * Parses one JSON text strictly (RFC 8259) like `JSON.parse`, except that an
 * integer outside the safe range becomes a `bigint` instead of losing digits.
 * It is the slow path: used only for messages holding a long integer, and to
 * say exactly where a message that `JSON.parse` refused went wrong.
 */
export function parseJsonExact(text: string): unknown {
  const parser = new ExactParser(text);
  parser.skipWhitespace();
  const value = parser.value();
  parser.skipWhitespace();
  if (parser.at < text.length) parser.fail('unexpected text after the JSON value');
  return value;
}

class ExactParser {
  at = 0;

  constructor(readonly text: string) {}

  fail(reason: string, index = this.at): never {
    throw new JsonSyntaxError(reason, index);
  }

  skipWhitespace(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }

  value(): unknown {
    const c = this.text.charCodeAt(this.at);
    switch (c) {
      case 0x7b: // {
        return this.object();
      case 0x5b: // [
        return this.array();
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'unexpected end of the JSON text' : `unexpected ${describe(c)} where a value should start`);
    }
  }

  object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return result;
    }
    for (;;) {
      if (this.text.charCodeAt(this.at) !== 0x22) this.expected('a string key');
      const key = this.string();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.expected("':'");
      this.at++;
      this.skipWhitespace();
      const item = this.value();
      // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
      if (key === '__proto__') Object.defineProperty(result, key, { value: item, enumerable: true, writable: true, configurable: true });
      else result[key] = item;
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) return result;
      if (c !== 0x2c) this.expected("',' or '}'", this.at - 1);
      this.skipWhitespace();
    }
  }

  array(): unknown[] {
    const result: unknown[] = [];
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return result;
    }
    for (;;) {
      result.push(this.value());
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return result;
      if (c !== 0x2c) this.expected("',' or ']'", this.at - 1);
      this.skipWhitespace();
    }
  }

  string(): string {
    const text = this.text;
    const open = this.at;
    let at = open + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (Number.isNaN(c)) this.fail('unterminated string', open);
      if (c < 0x20) this.fail(`unescaped ${describe(c)} in a string`, at);
      if (c === 0x5c) {
        escaped = true;
        const e = text.charCodeAt(at + 1);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) this.fail('invalid \\u escape in a string', at);
          at += 6;
          continue;
        }
        // " \ / b f n r t
        if (e !== 0x22 && e !== 0x5c && e !== 0x2f && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) {
          this.fail('invalid escape in a string', at);
        }
        at += 2;
        continue;
      }
      at++;
    }
    this.at = at + 1;
    // The escapes are checked above, so the native parser decodes them.
    return escaped ? (JSON.parse(text.slice(open, at + 1)) as string) : text.slice(open + 1, at);
  }

  number(): number | bigint {
    const text = this.text;
    const start = this.at;
    let at = start;
    if (text.charCodeAt(at) === 0x2d) at++;
    const first = text.charCodeAt(at);
    if (first === 0x30) at++;
    else if (first >= 0x31 && first <= 0x39) at = digits(text, at);
    else this.fail('invalid number', at);
    let integer = true;
    if (text.charCodeAt(at) === 0x2e) {
      integer = false;
      const end = digits(text, at + 1);
      if (end === at + 1) this.fail('invalid number: no digits after the decimal point', end);
      at = end;
    }
    const e = text.charCodeAt(at);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      at++;
      const sign = text.charCodeAt(at);
      if (sign === 0x2b || sign === 0x2d) at++;
      const end = digits(text, at);
      if (end === at) this.fail('invalid number: no digits in the exponent', end);
      at = end;
    }
    this.at = at;
    const token = text.slice(start, at);
    const value = Number(token);
    return integer && !Number.isSafeInteger(value) ? BigInt(token) : value;
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail(`invalid literal (expected ${word})`);
    this.at += word.length;
    return value;
  }

  expected(what: string, index = this.at): never {
    const c = this.text.charCodeAt(index);
    return this.fail(Number.isNaN(c) ? `unexpected end of the JSON text, expected ${what}` : `expected ${what}, found ${describe(c)}`, index);
  }
}

function digits(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (!(c >= 0x30 && c <= 0x39)) return at; // also stops at the end (NaN)
    at++;
  }
}

function describe(code: number): string {
  return code >= 0x21 && code <= 0x7e ? `'${String.fromCharCode(code)}'` : `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
