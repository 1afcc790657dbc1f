/**
 * A count with its noun, singular for one: "1 unit", "64 units", "0 problems". `shown` writes the number
 * (a locale's grouping, say); the noun follows the count itself.
 */
export function counted(count: number, noun: string, shown: (n: number) => string = String): string {
  return `${shown(count)} ${noun}${count === 1 ? '' : 's'}`;
}
