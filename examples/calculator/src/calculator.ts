/** The calculator's methods: the server implements them, the client calls them through a typed proxy. */
export interface Calculator {
  add(a: number, b: number): number;
  subtract(a: number, b: number): number;
  multiply(a: number, b: number): number;
  /** Fails with "Division by zero" when `b` is 0. */
  divide(a: number, b: number): number;
}
