import { describe, expect, it } from 'vitest';
import type { ClientOutcomes } from './bindings/ClientOutcomes';
import {
  AXIS_FONT_PX,
  axisDateLabels,
  dateTickCount,
  dateTicks,
  dateToSeconds,
  drawable,
  headacheChart,
  instantToSeconds,
  midasChart,
  painChart,
  paddedRange,
  trendChart,
  uplotOptions,
  type ChartTheme,
} from './historyChart';

const DAY = 86_400;

const base: Pick<ClientOutcomes, 'headache_days' | 'usual_intensity' | 'baseline_headache_days' | 'baseline_date'> = {
  baseline_date: '2026-03-03',
  baseline_headache_days: 12,
  headache_days: [
    { date: '2026-03-03', value: 12 },
    { date: '2026-04-14', value: 8 },
    { date: '2026-06-02', value: 5 },
  ],
  usual_intensity: [
    { date: '2026-03-03', value: 7 },
    { date: '2026-04-14', value: 6 },
    { date: '2026-06-02', value: 4 },
  ],
};

const theme: ChartTheme = {
  text: '#111111',
  muted: '#555555',
  border: '#dddddd',
  surface: '#ffffff',
  fontFamily: 'system-ui',
  color: (token) => `color(${token})`,
};

describe('time values', () => {
  it('reads calendar dates as local midnight and instants exactly', () => {
    expect(dateToSeconds('2026-03-03')).toBe(new Date(2026, 2, 3).getTime() / 1000);
    expect(dateToSeconds('3 Mar 2026')).toBeNull();
    expect(instantToSeconds('2026-03-03T10:00:00Z')).toBe(Date.UTC(2026, 2, 3, 10) / 1000);
    expect(instantToSeconds('not a time')).toBeNull();
  });
});

describe('headache chart', () => {
  it('lines up days, intensity and the baseline by intake date', () => {
    const c = headacheChart(base);
    expect(c.xs).toEqual(base.headache_days.map((p) => dateToSeconds(p.date)));
    expect(c.lines.map((l) => l.values)).toEqual([
      [12, 8, 5],
      [7, 6, 4],
      [12, 12, 12],
    ]);
    expect(c.lines.map((l) => l.scale)).toEqual(['days', 'ten', 'days']);
    expect(c.lines[2].label).toBe('Baseline (12 days, 3 Mar 2026)');
    expect(c.readouts[1]).toBe('14 Apr 2026: 8 headache days / 30, usual intensity 6 / 10');
    expect(drawable(c)).toBe(true);
  });

  it('keeps the lines apart by dash as well as colour', () => {
    const c = headacheChart(base);
    const dashes = c.lines.map((l) => l.dash.join(','));
    expect(new Set(dashes).size).toBe(c.lines.length);
    expect(new Set(c.lines.map((l) => l.color)).size).toBe(c.lines.length);
    expect(c.lines[2].points).toBe(false);
  });

  it('labels both axes with their units, gridlines at the same heights', () => {
    const [days, ten] = headacheChart(base).yAxes;
    expect(days).toMatchObject({ label: 'days / 30', min: 0, max: 30, side: 'left' });
    expect(ten).toMatchObject({ label: 'intensity 0–10', min: 0, max: 10, side: 'right' });
    expect(days.splits.length).toBe(ten.splits.length);
    expect(days.splits.map((v) => v / 30)).toEqual(ten.splits.map((v) => v / 10));
  });

  it('sorts by date and matches intensity by date when the lists disagree', () => {
    const c = headacheChart({
      baseline_date: null,
      baseline_headache_days: null,
      headache_days: [
        { date: '2026-05-01', value: 4 },
        { date: '2026-01-10', value: 10 },
      ],
      usual_intensity: [{ date: '2026-01-10', value: 8 }],
    });
    expect(c.xs[0]).toBeLessThan(c.xs[1]);
    expect(c.lines[0].values).toEqual([10, 4]);
    expect(c.lines[1].values).toEqual([8, null]);
    // Without a baseline from the core, the first intake is the baseline.
    expect(c.lines[2].values).toEqual([10, 10]);
    expect(c.readouts[1]).toBe('1 May 2026: 4 headache days / 30');
  });

  it('is not drawn with fewer than two intakes', () => {
    expect(drawable(headacheChart({ ...base, headache_days: [base.headache_days[0]] }))).toBe(false);
    const none = headacheChart({ baseline_date: null, baseline_headache_days: null, headache_days: [], usual_intensity: [] });
    expect(drawable(none)).toBe(false);
    expect(none.lines).toHaveLength(2);
  });
});

describe('pain chart', () => {
  const s = (started_at: string, before: number, after: number) => ({
    session_id: started_at,
    started_at,
    before,
    after,
    change: before - after,
    corrected: false,
  });

  it('draws before and after per session, oldest first', () => {
    const c = painChart({
      session_pain: [s('2026-04-01T10:00:00Z', 6, 3), s('2026-03-03T10:00:00Z', 7, 4)],
    });
    expect(c.xs).toEqual([Date.UTC(2026, 2, 3, 10) / 1000, Date.UTC(2026, 3, 1, 10) / 1000]);
    expect(c.lines.map((l) => l.label)).toEqual(['Before the session', 'After the session']);
    expect(c.lines[0].values).toEqual([7, 6]);
    expect(c.lines[1].values).toEqual([4, 3]);
    expect(c.lines[0].dash).not.toEqual(c.lines[1].dash);
    expect(c.lines[0].color).not.toBe(c.lines[1].color);
    expect(c.yAxes).toEqual([expect.objectContaining({ label: 'pain 0–10', min: 0, max: 10 })]);
    expect(c.readouts[0]).toMatch(/: pain 7 before, 4 after$/);
  });

  it('is not drawn for a single session', () => {
    expect(drawable(painChart({ session_pain: [s('2026-03-03T10:00:00Z', 7, 4)] }))).toBe(false);
  });
});

describe('axis', () => {
  it('pads the x range so the end points are whole', () => {
    const [lo, hi] = paddedRange(1000 * DAY, 1100 * DAY);
    expect(lo).toBeLessThan(1000 * DAY);
    expect(hi).toBeGreaterThan(1100 * DAY);
    const [a, b] = paddedRange(5 * DAY, 5 * DAY);
    expect(b - a).toBe(14 * DAY);
  });

  it('labels dates by day, the year only when it first shows or changes', () => {
    const t = (y: number, m: number, d: number, h = 0) => new Date(y, m, d, h).getTime() / 1000;
    expect(axisDateLabels([t(2025, 11, 20), t(2025, 11, 27), t(2026, 0, 3)], 30 * DAY)).toEqual([
      '20 Dec\n2025',
      '27 Dec',
      '3 Jan\n2026',
    ]);
    expect(axisDateLabels([t(2025, 0, 1), t(2025, 6, 1), t(2026, 0, 1)], 400 * DAY)).toEqual([
      'Jan\n2025',
      'Jul',
      'Jan\n2026',
    ]);
    // Ticks within one day do not repeat the date.
    expect(axisDateLabels([t(2026, 2, 3, 6), t(2026, 2, 3, 12), t(2026, 2, 4)], DAY)).toEqual([
      '3 Mar\n2026',
      '',
      '4 Mar',
    ]);
  });
});

describe('date ticks', () => {
  const t = (m: number, d: number) => new Date(2026, m, d, 10).getTime() / 1000;

  it('ends on the last point, so the last label is its date', () => {
    // Sessions from 5 Oct to 2 Nov: the last label is "2 Nov", not a round "31 Oct" before it.
    const xs = [t(9, 5), t(9, 12), t(9, 19), t(9, 26), t(10, 2)];
    const ticks = dateTicks(xs, 6);
    expect(ticks[ticks.length - 1]).toBe(t(10, 2));
    expect(ticks).toEqual(xs);
    const labels = axisDateLabels(ticks, t(10, 2) - t(9, 5));
    expect(labels[labels.length - 1]).toBe('2 Nov');
  });

  it('leaves out points too close to the one after them, never the last', () => {
    const xs = [t(0, 1), t(0, 2), t(0, 3), t(1, 1), t(2, 1), t(2, 2)];
    const ticks = dateTicks(xs, 3);
    expect(ticks[ticks.length - 1]).toBe(t(2, 2));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeGreaterThanOrEqual((t(2, 2) - t(0, 1)) / 2 - 1);
    expect(ticks.length).toBeLessThanOrEqual(3);
  });

  it('copes with one point or none, and fits the labels to the width', () => {
    expect(dateTicks([], 5)).toEqual([]);
    expect(dateTicks([t(0, 1), t(0, 1)], 5)).toEqual([t(0, 1)]);
    expect(dateTickCount(100)).toBe(2);
    expect(dateTickCount(880)).toBe(10);
  });
});

describe('uPlot options', () => {
  const hovered: (number | null)[] = [];
  const opts = uplotOptions(headacheChart(base), theme, { width: 420, height: 260 }, (i) => hovered.push(i));

  it('sizes the chart and hides uPlot’s own legend', () => {
    expect(opts.width).toBe(420);
    expect(opts.height).toBe(260);
    expect(opts.legend?.show).toBe(false);
  });

  it('draws each line in its theme colour and dash', () => {
    const series = opts.series.slice(1);
    expect(series.map((s) => s.stroke)).toEqual(['color(--accent)', 'color(--mark-pain-line)', 'color(--muted)']);
    expect(series.map((s) => s.dash)).toEqual([[], [3, 3], [10, 6]]);
    expect(series.map((s) => s.scale)).toEqual(['days', 'ten', 'days']);
  });

  it('fixes the y scales and labels the axes in a legible font', () => {
    expect(opts.scales?.days?.range).toEqual([0, 30]);
    expect(opts.scales?.ten?.range).toEqual([0, 10]);
    expect(opts.scales?.x?.time).toBe(true);
    const axes = opts.axes ?? [];
    expect(axes.map((a) => a.label)).toEqual([undefined, 'days / 30', 'intensity 0–10']);
    expect(axes.map((a) => a.side)).toEqual([undefined, 3, 1]);
    expect(AXIS_FONT_PX).toBeGreaterThanOrEqual(12);
    for (const a of axes) {
      expect(a.font).toBe(`${AXIS_FONT_PX}px system-ui`);
      expect(a.stroke).toBe(theme.muted);
    }
    expect(axes[1].labelFont).toContain(`${AXIS_FONT_PX}px`);
    expect(axes[1].splits).toEqual([0, 6, 12, 18, 24, 30]);
  });

  it('reports the pointed-at point, and none when the pointer leaves', () => {
    const hook = opts.hooks?.setCursor;
    const fn = Array.isArray(hook) ? hook[0] : hook;
    expect(fn).toBeTypeOf('function');
    fn!({ cursor: { idx: 2, left: 40 } } as never);
    fn!({ cursor: { idx: 2, left: -10 } } as never);
    fn!({ cursor: { idx: null, left: 30 } } as never);
    expect(hovered).toEqual([2, null, null]);
  });
});

describe('the MIDAS chart', () => {
  it('draws the scores by date with the grade boundaries, its axis above the highest score', () => {
    const spec = midasChart([
      { answered_on: '2026-11-01', score: 9, grade_label: 'Grade II — mild disability' },
      { answered_on: '2026-08-01', score: 34, grade_label: 'Grade IV — severe disability' },
    ]);
    expect(spec.xs).toEqual([dateToSeconds('2026-08-01'), dateToSeconds('2026-11-01')]);
    expect(spec.lines[0].values).toEqual([34, 9]);
    expect(spec.lines.slice(1).map((l) => l.values[0])).toEqual([6, 11, 21]);
    expect(spec.yAxes[0].max).toBe(40);
    expect(spec.readouts[0]).toContain('score 34, Grade IV');
    expect(midasChart([]).yAxes[0].max).toBe(30);
  });
});

describe('trendChart', () => {
  it('puts every series on the dates of all, with gaps, on axes in five steps', () => {
    const spec = trendChart({
      axes: [
        { label: 'quality 0–10', max: 10 },
        { label: 'hours a night', max: 15 },
      ],
      series: [
        {
          label: 'Sleep quality (0–10)',
          axis: 0,
          points: [
            { date: '2026-11-08', value: 4.5 },
            { date: '2026-11-15', value: 6 },
          ],
        },
        {
          label: 'Hours of sleep (right axis)',
          axis: 1,
          points: [
            { date: '2026-11-01', value: 6 },
            { date: '2026-11-15', value: 7.25 },
          ],
        },
      ],
    });
    expect(spec.xs).toEqual(['2026-11-01', '2026-11-08', '2026-11-15'].map((d) => dateToSeconds(d)));
    expect(spec.lines.map((l) => l.values)).toEqual([
      [null, 4.5, 6],
      [6, null, 7.25],
    ]);
    expect(spec.lines.map((l) => l.scale)).toEqual(['axis0', 'axis1']);
    expect(spec.lines[0].dash).toEqual([]);
    expect(spec.lines[1].dash.length).toBeGreaterThan(0);
    expect(spec.yAxes.map((a) => a.splits)).toEqual([
      [0, 2, 4, 6, 8, 10],
      [0, 3, 6, 9, 12, 15],
    ]);
    expect(spec.yAxes.map((a) => a.side)).toEqual(['left', 'right']);
    expect(spec.readouts[0]).toBe('1 Nov 2026: Hours of sleep 6');
    expect(spec.readouts[2]).toBe('15 Nov 2026: Sleep quality (0–10) 6, Hours of sleep 7.3');
    expect(drawable(spec)).toBe(true);
  });

  it('has nothing to draw without points', () => {
    const spec = trendChart({ axes: [{ label: 'stress 0–10', max: 10 }], series: [{ label: 'Stress (0–10)', axis: 0, points: [] }] });
    expect(spec.xs).toEqual([]);
    expect(drawable(spec)).toBe(false);
  });
});

describe('headacheChart from the diary', () => {
  it('names the intensity line as the core does', () => {
    const spec = headacheChart({
      baseline_date: '2026-08-01',
      baseline_headache_days: 12,
      intensity_label: 'Mean peak intensity',
      headache_days: [
        { date: '2026-11-15', value: 5 },
        { date: '2026-11-22', value: 4 },
      ],
      usual_intensity: [
        { date: '2026-11-15', value: 6.5 },
        { date: '2026-11-22', value: 6 },
      ],
    });
    expect(spec.lines[1].label).toBe('Mean peak intensity (0–10, right axis)');
    expect(spec.readouts[1]).toBe('22 Nov 2026: 4 headache days / 30, mean peak intensity 6 / 10');
  });
});
