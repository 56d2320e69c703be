// The cost-against-load plot of the README: small line charts (SVG, no library: a few polylines)
// from the suite's own figures — agent CPU against packets/s, against containers, and memory
// against flows, each beside its peer's where the run measured one.
import type { Figure } from './figure.ts';

interface Series {
  label: string;
  points: [number, number][];
  dashed?: boolean;
}

interface Panel {
  title: string;
  x: string;
  y: string;
  series: Series[];
}

const W = 300;
const H = 190;
const PAD = { left: 48, right: 12, top: 26, bottom: 36 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function panelSvg(panel: Panel, offsetX: number): string {
  const all = panel.series.flatMap((s) => s.points);
  if (!all.length) return '';
  const maxX = Math.max(...all.map((p) => p[0]));
  const maxY = Math.max(...all.map((p) => p[1])) * 1.1 || 1;
  const sx = (x: number) => offsetX + PAD.left + (x / maxX) * (W - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + (1 - y / maxY) * (H - PAD.top - PAD.bottom);
  const parts = [
    `<text x="${offsetX + W / 2}" y="16" text-anchor="middle" font-weight="bold">${escape(panel.title)}</text>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(maxX)}" y2="${sy(0)}" stroke="#888"/>`,
    `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(0)}" y2="${sy(maxY)}" stroke="#888"/>`,
    `<text x="${offsetX + W / 2}" y="${H - 6}" text-anchor="middle">${escape(panel.x)}</text>`,
    `<text x="${offsetX + 4}" y="${PAD.top - 8}">${escape(panel.y)}</text>`,
    `<text x="${sx(maxX)}" y="${sy(0) + 14}" text-anchor="end">${maxX.toLocaleString('en-US')}</text>`,
    `<text x="${sx(0) - 4}" y="${sy(maxY) + 4}" text-anchor="end">${Number((maxY / 1.1).toPrecision(2))}</text>`,
  ];
  panel.series.forEach((series, i) => {
    const points = series.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = series.dashed ? ' stroke-dasharray="5,4"' : '';
    parts.push(`<polyline fill="none" stroke="currentColor" stroke-width="2"${dash} points="${points}"/>`);
    for (const [x, y] of series.points)
      parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5"/>`);
    // The legend names each line in words: dashed or solid, never colour alone.
    parts.push(
      `<text x="${sx(0) + 6}" y="${PAD.top + 12 + i * 13}">${series.dashed ? '- - ' : '—— '}${escape(series.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** The SVG, or null when the figures hold no curve. */
export function costPlot(figures: Figure[]): string | null {
  const byPrefix = (prefix: string) => figures.filter((f) => f.id.startsWith(prefix));
  const live = byPrefix('live.cpu.').map((f) => ({ rate: Number(f.id.split('.')[2]), f }));
  const panels: Panel[] = [
    {
      title: 'Live capture',
      x: 'packets/s asked',
      y: '% of a core',
      series: [
        { label: 'shipwatch', points: live.map(({ rate, f }) => [rate, (f.shipwatch * rate) / 1e4]) },
        {
          label: 'tcpdump',
          dashed: true,
          points: live.filter(({ f }) => f.peer).map(({ rate, f }) => [rate, (f.peer!.value * rate) / 1e4]),
        },
      ],
    },
    {
      title: 'Container stats (5 s)',
      x: 'containers',
      y: '% of a core',
      series: [
        { label: 'shipwatch', points: byPrefix('stats.').map((f) => [Number(f.id.split('.')[1]), f.shipwatch]) },
        {
          label: 'Docker stats API',
          dashed: true,
          points: byPrefix('stats.').map((f) => [Number(f.id.split('.')[1]), f.peer?.value ?? 0]),
        },
      ],
    },
    {
      title: 'Flow table memory',
      x: 'active flows',
      y: 'RSS MiB',
      series: [
        { label: 'shipwatch', points: byPrefix('memory.flows.').map((f) => [Number(f.id.split('.')[2]), f.shipwatch]) },
      ],
    },
  ].filter((p) => p.series.some((s) => s.points.length > 1)) as Panel[];
  if (!panels.length) return null;
  const body = panels.map((p, i) => panelSvg(p, i * W)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H}" font-family="sans-serif" font-size="11" color="#1f4e79" style="background:#fff">\n${body}\n</svg>\n`;
}
