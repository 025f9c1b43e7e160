/**
 * Orders for arrays inside config whose order carries no meaning, so the same set of things always
 * serialises the same way. Code-unit comparison, not locale: the same on every machine.
 */
export function sortedUnique(values: Iterable<string | undefined>): string[] {
  return [...new Set([...values].filter((v): v is string => v !== undefined && v !== ''))].sort();
}

export function byText<T>(select: (item: T) => string | number | undefined): (a: T, b: T) => number {
  return (a, b) => {
    const x = String(select(a) ?? '');
    const y = String(select(b) ?? '');
    return x < y ? -1 : x > y ? 1 : 0;
  };
}
