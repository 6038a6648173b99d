// The two outcome charts: their data (from the core's points, only rearranged for drawing),
// their look, and the uPlot options built from both. Pure, so it is tested without a DOM;
// `uplot` is imported for its types only.

import type uPlot from 'uplot';
import type { ClientOutcomes } from './bindings/ClientOutcomes';
import type { MidasAssessment } from './bindings/MidasAssessment';
import type { Trend } from './bindings/Trend';
import { formatDate, formatInstant, MONTHS } from './format';
import { formatNumber } from './history';

/** One line on a chart. `color` names a theme token (a CSS custom property). */
export interface LineSpec {
  label: string;
  values: (number | null)[];
  color: string;
  /** Canvas dash pattern; [] for a solid line. */
  dash: number[];
  width: number;
  points: boolean;
  scale: string;
}

export interface YAxisSpec {
  scale: string;
  label: string;
  min: number;
  max: number;
  /** Where the ticks go; the two axes of one chart use the same count so the grid lines up. */
  splits: number[];
  side: 'left' | 'right';
  grid: boolean;
}

export interface ChartSpec {
  /** Unix seconds, ascending. */
  xs: number[];
  lines: LineSpec[];
  yAxes: YAxisSpec[];
  /** What hovering each x shows, one per entry of `xs`. */
  readouts: string[];
}

/** Colours and font the chart is drawn with, read from the theme when it is drawn. */
export interface ChartTheme {
  text: string;
  muted: string;
  border: string;
  surface: string;
  fontFamily: string;
  /** A token's value, e.g. `color('--accent')`. */
  color: (token: string) => string;
}

const DAY = 86_400;

/** A calendar date (`YYYY-MM-DD`) as Unix seconds at local midnight, null when not a date. */
export function dateToSeconds(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d.getTime() / 1000;
}

/** An RFC 3339 instant as Unix seconds, null when it cannot be read. */
export function instantToSeconds(instant: string): number | null {
  const t = Date.parse(instant);
  return Number.isNaN(t) ? null : t / 1000;
}

/** Indices of `xs` in ascending order, ties kept in their given order. */
function ascending(xs: number[]): number[] {
  return xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
}

// Grid lines at the same heights on both axes: 0-30 days in sixes, 0-10 in twos.
const DAYS_SPLITS = [0, 6, 12, 18, 24, 30];
const TEN_SPLITS = [0, 2, 4, 6, 8, 10];

/**
 * Headache days per 30 days and usual intensity by intake date, with the baseline as a
 * dashed level line. The two series come from the same intakes; intensity is matched by date.
 */
export function headacheChart(
  o: Pick<ClientOutcomes, 'headache_days' | 'usual_intensity' | 'baseline_headache_days' | 'baseline_date'> &
    Partial<Pick<ClientOutcomes, 'intensity_label'>>,
): ChartSpec {
  // The intensity line's name is the core's: "Usual intensity" (intakes) or "Mean peak
  // intensity" (the diary).
  const intensityLabel = o.intensity_label ?? 'Usual intensity';
  const rows = o.headache_days
    .map((p, i) => ({ p, i, x: dateToSeconds(p.date) }))
    .filter((r): r is { p: (typeof o.headache_days)[number]; i: number; x: number } => r.x !== null);
  // Intensity points are matched to day points by position when the dates agree, else by date.
  const intensityFor = (date: string, i: number): number | null => {
    const same = o.usual_intensity[i];
    if (same && same.date === date) return same.value;
    return o.usual_intensity.find((q) => q.date === date)?.value ?? null;
  };
  const order = ascending(rows.map((r) => r.x));
  const sorted = order.map((k) => rows[k]);
  const xs = sorted.map((r) => r.x);
  const days = sorted.map((r) => r.p.value);
  const intensity = sorted.map((r) => intensityFor(r.p.date, r.i));
  const baseline = o.baseline_headache_days ?? days[0] ?? null;
  const baselineDate = o.baseline_date ?? sorted[0]?.p.date ?? null;

  const lines: LineSpec[] = [
    { label: 'Headache days (days / 30)', values: days, color: '--accent', dash: [], width: 2.5, points: true, scale: 'days' },
    {
      label: `${intensityLabel} (0–10, right axis)`,
      values: intensity,
      color: '--mark-pain-line',
      dash: [3, 3],
      width: 2,
      points: true,
      scale: 'ten',
    },
  ];
  if (baseline !== null) {
    lines.push({
      label: `Baseline (${formatNumber(baseline)} days${baselineDate ? `, ${formatDate(baselineDate)}` : ''})`,
      values: xs.map(() => baseline),
      color: '--muted',
      dash: [10, 6],
      width: 1.5,
      points: false,
      scale: 'days',
    });
  }

  return {
    xs,
    lines,
    yAxes: [
      { scale: 'days', label: 'days / 30', min: 0, max: 30, splits: DAYS_SPLITS, side: 'left', grid: true },
      { scale: 'ten', label: 'intensity 0–10', min: 0, max: 10, splits: TEN_SPLITS, side: 'right', grid: false },
    ],
    readouts: sorted.map((r, k) => {
      const i = intensity[k];
      const tail = i === null ? '' : `, ${intensityLabel.toLowerCase()} ${formatNumber(i)} / 10`;
      return `${formatDate(r.p.date)}: ${formatNumber(r.p.value)} headache days / 30${tail}`;
    }),
  };
}

/** Pain before and after each signed session (0-10), by session date. */
export function painChart(o: Pick<ClientOutcomes, 'session_pain'>): ChartSpec {
  const rows = o.session_pain
    .map((s) => ({ s, x: instantToSeconds(s.started_at) }))
    .filter((r): r is { s: (typeof o.session_pain)[number]; x: number } => r.x !== null);
  const sorted = ascending(rows.map((r) => r.x)).map((k) => rows[k]);
  return {
    xs: sorted.map((r) => r.x),
    lines: [
      { label: 'Before the session', values: sorted.map((r) => r.s.before), color: '--warning-text', dash: [7, 4], width: 2, points: true, scale: 'ten' },
      { label: 'After the session', values: sorted.map((r) => r.s.after), color: '--accent', dash: [], width: 2.5, points: true, scale: 'ten' },
    ],
    yAxes: [{ scale: 'ten', label: 'pain 0–10', min: 0, max: 10, splits: TEN_SPLITS, side: 'left', grid: true }],
    readouts: sorted.map((r) => `${formatInstant(r.s.started_at)}: pain ${r.s.before} before, ${r.s.after} after`),
  };
}

/** Where each MIDAS grade begins (I starts at 0), as published with the questionnaire. */
export const MIDAS_GRADE_STARTS: readonly { label: string; from: number; color: string }[] = [
  { label: 'Grade II from 6', from: 6, color: '--muted' },
  { label: 'Grade III from 11', from: 11, color: '--warning-text' },
  { label: 'Grade IV from 21', from: 21, color: '--danger' },
];

/**
 * The MIDAS score by date answered, with the grade boundaries as level lines. The y axis
 * reaches at least 30 (so grade IV shows) and above the highest score, in steps of ten.
 */
export function midasChart(all: readonly Pick<MidasAssessment, 'answered_on' | 'score' | 'grade_label'>[]): ChartSpec {
  const rows = all
    .map((m) => ({ m, x: dateToSeconds(m.answered_on) }))
    .filter((r): r is { m: (typeof all)[number]; x: number } => r.x !== null);
  const sorted = ascending(rows.map((r) => r.x)).map((k) => rows[k]);
  const xs = sorted.map((r) => r.x);
  const top = Math.max(30, Math.ceil(Math.max(0, ...sorted.map((r) => r.m.score)) / 10) * 10);
  const step = top / 5;
  return {
    xs,
    lines: [
      { label: 'MIDAS score', values: sorted.map((r) => r.m.score), color: '--accent', dash: [], width: 2.5, points: true, scale: 'midas' },
      ...MIDAS_GRADE_STARTS.map(
        (g): LineSpec => ({ label: g.label, values: xs.map(() => g.from), color: g.color, dash: [6, 5], width: 1.25, points: false, scale: 'midas' }),
      ),
    ],
    yAxes: [
      { scale: 'midas', label: 'MIDAS score', min: 0, max: top, splits: [0, 1, 2, 3, 4, 5].map((k) => k * step), side: 'left', grid: true },
    ],
    readouts: sorted.map((r) => `${formatDate(r.m.answered_on)}: score ${r.m.score}, ${r.m.grade_label}`),
  };
}

/** How each series of a trend is drawn, by its place: the first solid, the second dashed. */
const TREND_LOOKS: readonly Pick<LineSpec, 'color' | 'dash' | 'width'>[] = [
  { color: '--accent', dash: [], width: 2.5 },
  { color: '--mark-pain-line', dash: [3, 3], width: 2 },
];

/**
 * A sleep, stress or duration chart from the core's trend: its series on their axes (each
 * axis from 0 to the core's maximum, in five steps so two axes' grids line up), the dates of
 * every series together, a gap where a series has no point on a date.
 */
export function trendChart(t: Pick<Trend, 'axes' | 'series'>): ChartSpec {
  const dates = [...new Set(t.series.flatMap((s) => s.points.map((p) => p.date)))]
    .map((date) => ({ date, x: dateToSeconds(date) }))
    .filter((r): r is { date: string; x: number } => r.x !== null)
    .sort((a, b) => a.x - b.x);
  const lines: LineSpec[] = t.series.map((s, i) => {
    const byDate = new Map(s.points.map((p) => [p.date, p.value]));
    const look = TREND_LOOKS[i % TREND_LOOKS.length];
    return {
      label: s.label,
      values: dates.map((d) => byDate.get(d.date) ?? null),
      ...look,
      points: true,
      scale: `axis${s.axis}`,
    };
  });
  return {
    xs: dates.map((d) => d.x),
    lines,
    yAxes: t.axes.map((a, i) => ({
      scale: `axis${i}`,
      label: a.label,
      min: 0,
      max: a.max,
      splits: [0, 1, 2, 3, 4, 5].map((k) => (k * a.max) / 5),
      side: i === 0 ? 'left' : 'right',
      grid: i === 0,
    })),
    readouts: dates.map((d, k) => {
      const parts = lines
        .map((l) => (l.values[k] === null ? null : `${l.label.replace(/ \(right axis\)$/, '')} ${formatNumber(l.values[k] as number)}`))
        .filter((x): x is string => x !== null);
      return `${formatDate(d.date)}: ${parts.join(', ')}`;
    }),
  };
}

/** True when a chart has enough to draw a line: two points in time. */
export const drawable = (spec: ChartSpec): boolean => spec.xs.length >= 2;

/** The x range with room at both ends, so the first and last points are not cut in half. */
export function paddedRange(min: number, max: number): [number, number] {
  const pad = max > min ? Math.max((max - min) * 0.06, DAY / 2) : 7 * DAY;
  return [min - pad, max + pad];
}

/**
 * Where the date axis has its ticks: at the data's own dates, the last point always among
 * them (so the last label is the last point's date, not a round date before it), and going
 * back from it no closer together than `1 / (maxTicks - 1)` of the span, so labels never crowd.
 */
export function dateTicks(xs: readonly number[], maxTicks: number): number[] {
  const sorted = [...new Set(xs.filter((x) => Number.isFinite(x)))].sort((a, b) => a - b);
  if (sorted.length <= 1) return sorted;
  const span = sorted[sorted.length - 1] - sorted[0];
  const minGap = span / Math.max(1, maxTicks - 1);
  const out = [sorted[sorted.length - 1]];
  for (let i = sorted.length - 2; i >= 0; i--) {
    if (out[out.length - 1] - sorted[i] >= minGap * 0.999) out.push(sorted[i]);
  }
  return out.reverse();
}

/** How many date labels fit across a chart `width` CSS pixels wide (at least two). */
export const dateTickCount = (width: number): number => Math.max(2, Math.floor(width / 88));

/**
 * Labels for the date axis: "3 Mar" (or "Mar" over a long span), with the year on a second
 * line on the first label and wherever it changes. A label that would repeat the one before
 * (ticks within one day) is left blank.
 */
export function axisDateLabels(splits: number[], spanSeconds: number): string[] {
  const monthly = spanSeconds > 300 * DAY;
  let prev = '';
  let prevYear: number | null = null;
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const text = monthly ? MONTHS[d.getMonth()] : `${d.getDate()} ${MONTHS[d.getMonth()]}`;
    const year = d.getFullYear();
    const key = `${text} ${year}`;
    if (key === prev) return '';
    prev = key;
    const withYear = year !== prevYear ? `${text}\n${year}` : text;
    prevYear = year;
    return withYear;
  });
}

/** The font size, in CSS pixels, of axis values and labels (at least 12 px to stay legible). */
export const AXIS_FONT_PX = 13;

/** The uPlot options for a spec, drawn in `theme`. `onHover` gets the pointed-at index. */
export function uplotOptions(
  spec: ChartSpec,
  theme: ChartTheme,
  size: { width: number; height: number },
  onHover: (idx: number | null) => void,
): uPlot.Options {
  const font = `${AXIS_FONT_PX}px ${theme.fontFamily}`;
  const labelFont = `600 ${AXIS_FONT_PX}px ${theme.fontFamily}`;
  const tickLines = { show: true, stroke: theme.border, width: 1, size: 4 };

  const scales: uPlot.Scales = {
    x: { time: true, range: (_u, min, max) => paddedRange(min, max) },
  };
  for (const a of spec.yAxes) scales[a.scale] = { auto: false, range: [a.min, a.max] };

  return {
    width: size.width,
    height: size.height,
    legend: { show: false },
    padding: [12, 8, 0, 0],
    cursor: {
      y: false,
      drag: { x: false, y: false, setScale: false },
      points: { size: 10, width: 2 },
    },
    scales,
    series: [
      {},
      ...spec.lines.map(
        (l): uPlot.Series => ({
          label: l.label,
          scale: l.scale,
          stroke: theme.color(l.color),
          width: l.width,
          dash: l.dash,
          spanGaps: true,
          points: l.points
            ? { show: true, size: 8, width: 2, stroke: theme.color(l.color), fill: theme.surface }
            : { show: false },
        }),
      ),
    ],
    axes: [
      {
        scale: 'x',
        space: 72,
        size: 52,
        font,
        stroke: theme.muted,
        grid: { show: true, stroke: theme.border, width: 1 },
        ticks: tickLines,
        splits: () => dateTicks(spec.xs, dateTickCount(size.width)),
        values: (u, splits) => axisDateLabels(splits, (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0)),
      },
      ...spec.yAxes.map(
        (a): uPlot.Axis => ({
          scale: a.scale,
          side: a.side === 'left' ? 3 : 1,
          label: a.label,
          labelFont,
          labelSize: 22,
          labelGap: 2,
          font,
          size: 40,
          stroke: theme.muted,
          grid: a.grid ? { show: true, stroke: theme.border, width: 1 } : { show: false },
          ticks: tickLines,
          splits: a.splits,
          values: (_u, splits) => splits.map((v) => formatNumber(v)),
        }),
      ),
    ],
    hooks: {
      setCursor: [
        (u) => {
          const idx = u.cursor.idx;
          const off = u.cursor.left === undefined || u.cursor.left < 0;
          onHover(off || idx === null || idx === undefined ? null : idx);
        },
      ],
    },
  };
}
