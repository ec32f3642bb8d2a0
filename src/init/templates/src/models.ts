/** A polynomial c0 + c1·x + … + cd·x^d, fitted by gradient descent on the mean squared error. */
export class Polynomial {
  coefficients: number[];

  constructor({ degree }: { degree: number }) {
    this.coefficients = Array.from({ length: degree + 1 }, () => 0);
  }

  predict(x: number): number {
    return this.coefficients.reduce((sum, c, k) => sum + c * x ** k, 0);
  }

  loss(data: readonly Point[]): number {
    return data.reduce((sum, p) => sum + (this.predict(p.x) - p.y) ** 2, 0) / data.length;
  }

  /** d loss / d c_k = mean of 2 (prediction − y) x^k. */
  gradient(data: readonly Point[]): number[] {
    return this.coefficients.map((_, k) => data.reduce((sum, p) => sum + 2 * (this.predict(p.x) - p.y) * p.x ** k, 0) / data.length);
  }
}

export interface Point {
  x: number;
  y: number;
}
