import { describe, expect, it } from 'vitest';
import type { Region } from './bindings/Region';
import { FIGURES, SHAPES, SIDE_LABELS, VIEWBOX, pathPoints } from './bodyChart';

// A `Record` over the union makes the compiler fail here when a region is added or removed.
const REGIONS: Record<Region, true> = {
  suboccipitals_left: true,
  suboccipitals_right: true,
  upper_trapezius_left: true,
  upper_trapezius_right: true,
  levator_scapulae_left: true,
  levator_scapulae_right: true,
  scm_left: true,
  scm_right: true,
  scalenes_left: true,
  scalenes_right: true,
  temporalis_left: true,
  temporalis_right: true,
  masseter_left: true,
  masseter_right: true,
  frontalis: true,
  occipitalis: true,
  scalp_frontal: true,
  scalp_parietal: true,
  scalp_occipital: true,
  cervical_spine: true,
  upper_back: true,
  shoulder_left: true,
  shoulder_right: true,
};

const meanX = (d: string) => {
  const pts = pathPoints(d);
  return pts.reduce((s, p) => s + p[0], 0) / pts.length;
};

describe('body chart drawing', () => {
  it('has a clickable shape for every region', () => {
    const drawn = new Set(SHAPES.map((s) => s.region));
    for (const r of Object.keys(REGIONS)) expect(drawn.has(r as Region), r).toBe(true);
    for (const r of drawn) expect(REGIONS[r], r).toBe(true);
  });

  it('stays inside the drawing', () => {
    for (const s of SHAPES) {
      for (const [x, y] of pathPoints(s.d)) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(VIEWBOX.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(VIEWBOX.height);
      }
    }
  });

  it('puts the client’s left on the viewer’s right in front views, and on the left from behind', () => {
    const near = (x: number, cx: number) => Math.abs(x - cx) < 140;
    for (const s of SHAPES) {
      const side = s.region.endsWith('_left') ? 1 : s.region.endsWith('_right') ? -1 : 0;
      if (side === 0) continue;
      const x = meanX(s.d);
      const fig = Object.values(FIGURES).find((f) => f.panel === s.panel && near(x, f.cx))!;
      expect(fig, s.region).toBeDefined();
      expect(Math.sign(x - fig.cx), `${s.region} in ${s.panel}`).toBe(side * fig.leftSign);
    }
  });

  it('labels the sides the same way', () => {
    for (const f of Object.values(FIGURES)) {
      const labels = SIDE_LABELS.filter((l) => Math.abs(l.x - f.cx) < 140);
      const left = labels.find((l) => l.text === 'L')!;
      const right = labels.find((l) => l.text === 'R')!;
      expect(Math.sign(left.x - f.cx)).toBe(f.leftSign);
      expect(Math.sign(right.x - f.cx)).toBe(-f.leftSign);
    }
  });

  it('mirrors each paired region within its view', () => {
    const front = SHAPES.filter((s) => s.panel === 'front');
    const l = meanX(front.find((s) => s.region === 'shoulder_left')!.d);
    const r = meanX(front.find((s) => s.region === 'shoulder_right')!.d);
    expect(l - FIGURES.FRONT.cx).toBeCloseTo(FIGURES.FRONT.cx - r, 5);
  });
});
