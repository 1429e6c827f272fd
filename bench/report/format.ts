/** Number formatting shared by the markdown report. */
export function ms (x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a'
  if (!Number.isFinite(x)) return 'lost'
  if (x < 1) return x.toFixed(3)
  if (x < 10) return x.toFixed(2)
  if (x < 100) return x.toFixed(1)
  return x.toFixed(0)
}

export function ratio (a: number | null | undefined, b: number | null | undefined): string {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return 'n/a'
  return `${(a / b).toFixed(2)}x`
}

export function int (x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'n/a'
  return Math.round(x).toLocaleString('en-US')
}

export function kib (bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}

export function pct (x: number): string {
  return `${x.toFixed(2)} %`
}

export function mdTable (head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}
