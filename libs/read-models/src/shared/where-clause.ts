/** Collects the conditions of a WHERE clause together with their bound values. */
export class WhereClause {
  private readonly conditions: string[] = [];
  private readonly values: unknown[] = [];

  /** Adds a condition without a value, such as `revision IS NOT NULL`. */
  addCondition(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** Adds a condition with one bound value. `$?` in `condition` is replaced by the value's placeholder. */
  addBound(condition: string, value: unknown): this {
    this.values.push(value);
    this.conditions.push(condition.replaceAll('$?', `$${this.values.length}`));
    return this;
  }

  /** Returns the bound values followed by `extra` (LIMIT and OFFSET), whose placeholders follow those of the conditions. */
  params(...extra: unknown[]): unknown[] {
    return [...this.values, ...extra];
  }

  /** Placeholder of the `index`-th extra value given to `params` (1-based). */
  extraPlaceholder(index: number): string {
    return `$${this.values.length + index}`;
  }

  toSql(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}
