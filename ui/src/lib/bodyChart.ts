// The body chart's drawing, as data: outline figures and one clickable shape per region per
// view. Coordinates are in the SVG's user units (viewBox 0 0 960 450). Shapes are drawn for
// the client's left side and mirrored for the right. In a front view the client's left is on
// the viewer's right; in a back view it is on the viewer's left.

import type { Region } from './bindings/Region';

export const VIEWBOX = { width: 960, height: 450 } as const;

type Cmd = ['M' | 'L', number, number] | ['C', number, number, number, number, number, number] | ['Z'];

export type PanelId = 'front' | 'back' | 'closeup';

/**
 * The drawing is two groups that can be laid out side by side (wide) or one above the other
 * (narrow, so the head close-up stays big enough to click): the two upper-body views, x 0-400,
 * and the head-and-neck close-up, x 400-960.
 */
export type Group = 'bodies' | 'closeup';
const BODIES_WIDTH = 400;
export const groupOf = (x: number): Group => (x < BODIES_WIDTH ? 'bodies' : 'closeup');
export const groupOfPanel = (p: PanelId): Group => (p === 'closeup' ? 'closeup' : 'bodies');

export interface Layout {
  width: number;
  height: number;
  bodies: string;
  closeup: string;
  /** Lines between the groups, in the SVG's coordinates. */
  separators: { x1: number; y1: number; x2: number; y2: number }[];
}

export const LAYOUTS: Record<'wide' | 'stacked', Layout> = {
  wide: {
    width: 960,
    height: 450,
    bodies: '',
    closeup: '',
    separators: [{ x1: BODIES_WIDTH, y1: 12, x2: BODIES_WIDTH, y2: 438 }],
  },
  stacked: {
    width: 560,
    height: 866,
    bodies: 'translate(80 416)',
    closeup: `translate(${-BODIES_WIDTH} 0)`,
    separators: [{ x1: 12, y1: 404, x2: 548, y2: 404 }],
  },
};

export interface Shape {
  region: Region;
  panel: PanelId;
  d: string;
}

export interface Outline {
  d: string;
  group: Group;
  /** Faint detail lines (features, spine) rather than the figure's edge. */
  detail?: boolean;
}

export interface SideLabel {
  x: number;
  y: number;
  text: 'L' | 'R';
}

export interface Caption {
  x: number;
  y: number;
  text: string;
  small?: boolean;
}

/** A figure: where its midline is and which way the client's left lies from there. */
interface Figure {
  cx: number;
  /** +1 when the client's left is on the viewer's right (front views), -1 from behind. */
  leftSign: 1 | -1;
  panel: PanelId;
  /** Uniform scale around (cx, 0). */
  scale: number;
}

function path(cmds: Cmd[], f: Figure, sign: 1 | -1 = 1): string {
  const x = (dx: number) => round(f.cx + sign * dx * f.scale);
  const y = (v: number) => round(v * f.scale);
  return cmds
    .map((c) => {
      switch (c[0]) {
        case 'M':
        case 'L':
          return `${c[0]}${x(c[1])},${y(c[2])}`;
        case 'C':
          return `C${x(c[1])},${y(c[2])} ${x(c[3])},${y(c[4])} ${x(c[5])},${y(c[6])}`;
        case 'Z':
          return 'Z';
      }
    })
    .join(' ');
}

const round = (n: number) => Math.round(n * 10) / 10;

function poly(points: [number, number][]): Cmd[] {
  return [...points.map(([x, y], i): Cmd => [i === 0 ? 'M' : 'L', x, y]), ['Z']];
}

/** An ellipse as four cubic curves (so it mirrors and scales like any other path). */
function ellipse(cx: number, cy: number, rx: number, ry: number): Cmd[] {
  const k = 0.5523;
  return [
    ['M', cx - rx, cy],
    ['C', cx - rx, cy - ry * k, cx - rx * k, cy - ry, cx, cy - ry],
    ['C', cx + rx * k, cy - ry, cx + rx, cy - ry * k, cx + rx, cy],
    ['C', cx + rx, cy + ry * k, cx + rx * k, cy + ry, cx, cy + ry],
    ['C', cx - rx * k, cy + ry, cx - rx, cy + ry * k, cx - rx, cy],
    ['Z'],
  ];
}

/** A rounded rectangle. */
function rrect(x: number, y: number, w: number, h: number, r: number): Cmd[] {
  const k = 0.5523 * r;
  return [
    ['M', x + r, y],
    ['L', x + w - r, y],
    ['C', x + w - r + k, y, x + w, y + r - k, x + w, y + r],
    ['L', x + w, y + h - r],
    ['C', x + w, y + h - r + k, x + w - r + k, y + h, x + w - r, y + h],
    ['L', x + r, y + h],
    ['C', x + r - k, y + h, x, y + h - r + k, x, y + h - r],
    ['L', x, y + r],
    ['C', x, y + r - k, x + r - k, y, x + r, y],
    ['Z'],
  ];
}

// ---- the figures ---------------------------------------------------------------------------

const FRONT: Figure = { cx: 100, leftSign: 1, panel: 'front', scale: 1 };
const BACK: Figure = { cx: 300, leftSign: -1, panel: 'back', scale: 1 };
const FACE: Figure = { cx: 552, leftSign: 1, panel: 'closeup', scale: 1.06 };
const NAPE: Figure = { cx: 820, leftSign: -1, panel: 'closeup', scale: 1.06 };

/** Midlines and orientation, for tests and for the side letters. */
export const FIGURES = { FRONT, BACK, FACE, NAPE } as const;

// Upper body (head to hips), used by the front and back views.
const BODY_HEAD = ellipse(0, 80, 30, 38);
const BODY_TORSO: Cmd[] = [
  ['M', -14, 112],
  ['L', -14, 134],
  ['C', -34, 146, -56, 148, -68, 158],
  ['C', -80, 168, -84, 184, -82, 204],
  ['C', -80, 230, -70, 240, -66, 250],
  ['C', -62, 310, -60, 370, -58, 430],
  ['L', 58, 430],
  ['C', 60, 370, 62, 310, 66, 250],
  ['C', 70, 240, 80, 230, 82, 204],
  ['C', 84, 184, 80, 168, 68, 158],
  ['C', 56, 148, 34, 146, 14, 134],
  ['L', 14, 112],
];
const BODY_ARM: Cmd[] = [
  ['M', -82, 204],
  ['C', -88, 260, -92, 340, -94, 420],
  ['M', -66, 250],
  ['C', -70, 300, -74, 360, -76, 420],
];

// Head and neck close-up: a head with a jaw, a neck and the tops of the shoulders.
const HEAD: Cmd[] = [
  ['M', 0, 48],
  ['C', 36, 48, 62, 72, 62, 120],
  ['C', 62, 150, 60, 176, 52, 196],
  ['C', 42, 216, 22, 228, 0, 230],
  ['C', -22, 228, -42, 216, -52, 196],
  ['C', -60, 176, -62, 150, -62, 120],
  ['C', -62, 72, -36, 48, 0, 48],
  ['Z'],
];
const NECK_AND_SHOULDERS: Cmd[] = [
  ['M', -40, 212],
  ['L', -40, 256],
  ['C', -56, 268, -96, 286, -118, 300],
  ['C', -126, 306, -128, 320, -126, 340],
  ['M', 40, 212],
  ['L', 40, 256],
  ['C', 56, 268, 96, 286, 118, 300],
  ['C', 126, 306, 128, 320, 126, 340],
];
/** Where the close-up is cut off below the shoulders. */
const BUST_CUT: Cmd[] = [
  ['M', -126, 340],
  ['L', 126, 340],
];
const EARS: Cmd[] = [
  ['M', 61, 132],
  ['C', 72, 128, 76, 140, 74, 152],
  ['C', 72, 164, 66, 172, 60, 170],
  ['M', -61, 132],
  ['C', -72, 128, -76, 140, -74, 152],
  ['C', -72, 164, -66, 172, -60, 170],
];
const FACE_FEATURES: Cmd[] = [
  // eyes
  ['M', -32, 142],
  ['C', -26, 137, -18, 137, -12, 142],
  ['M', 12, 142],
  ['C', 18, 137, 26, 137, 32, 142],
  // nose
  ['M', -3, 150],
  ['C', -4, 162, -8, 172, -10, 178],
  ['C', -4, 182, 4, 182, 10, 178],
  // mouth
  ['M', -14, 202],
  ['C', -6, 206, 6, 206, 14, 202],
  // collarbones
  ['M', -12, 316],
  ['C', -40, 308, -80, 306, -108, 310],
  ['M', 12, 316],
  ['C', 40, 308, 80, 306, 108, 310],
];
const NAPE_FEATURES: Cmd[] = [
  // spine of the neck, below the skull
  ['M', 0, 304],
  ['L', 0, 340],
];
const BODY_FRONT_FEATURES: Cmd[] = [
  ['M', -10, 150],
  ['C', -28, 154, -46, 154, -60, 160],
  ['M', 10, 150],
  ['C', 28, 154, 46, 154, 60, 160],
];
const BODY_BACK_FEATURES: Cmd[] = [
  ['M', 0, 150],
  ['L', 0, 420],
  // shoulder blades
  ['M', -20, 178],
  ['C', -30, 200, -34, 240, -30, 262],
  ['M', 20, 178],
  ['C', 30, 200, 34, 240, 30, 262],
];

// ---- the regions, drawn for the client's left -------------------------------------------------

// Front and back views.
const BODY_UPPER_TRAPEZIUS = poly([
  [16, 134],
  [40, 143],
  [64, 154],
  [72, 172],
  [44, 172],
  [18, 160],
]);
const BODY_SHOULDER = ellipse(76, 192, 16, 22);
const BODY_CERVICAL_SPINE = rrect(-12, 114, 24, 38, 8);
const BODY_UPPER_BACK = poly([
  [-46, 180],
  [46, 180],
  [52, 262],
  [0, 276],
  [-52, 262],
]);

// Close-up, face.
const SCALP_CAP: Cmd[] = [
  ['M', -54, 92],
  ['C', -52, 60, -28, 52, 0, 52],
  ['C', 28, 52, 52, 60, 54, 92],
  ['C', 36, 82, 18, 80, 0, 80],
  ['C', -18, 80, -36, 82, -54, 92],
  ['Z'],
];
const FRONTALIS: Cmd[] = [
  ['M', -57, 98],
  ['C', -36, 86, 36, 86, 57, 98],
  ['L', 56, 120],
  ['C', 36, 114, -36, 114, -56, 120],
  ['Z'],
];
const TEMPORALIS = ellipse(49, 145, 13, 21);
const MASSETER = ellipse(40, 187, 12, 18);
const SCM = poly([
  [36, 210],
  [58, 220],
  [22, 306],
  [0, 304],
]);
const SCALENES = poly([
  [44, 262],
  [64, 271],
  [88, 308],
  [54, 314],
]);

// Close-up, back of the head and neck.
const SCALP_OCCIPITAL: Cmd[] = [
  ['M', -59, 98],
  ['C', -36, 88, 36, 88, 59, 98],
  ['L', 61, 126],
  ['C', 36, 120, -36, 120, -61, 126],
  ['Z'],
];
const OCCIPITALIS: Cmd[] = [
  ['M', -61, 134],
  ['C', -36, 128, 36, 128, 61, 134],
  ['L', 59, 164],
  ['C', 36, 160, -36, 160, -59, 164],
  ['Z'],
];
const SUBOCCIPITALS = rrect(4, 170, 46, 34, 10);
const NAPE_CERVICAL_SPINE = rrect(-12, 214, 24, 88, 10);
const LEVATOR = poly([
  [16, 212],
  [36, 212],
  [72, 330],
  [52, 336],
]);
const NAPE_UPPER_TRAPEZIUS = poly([
  [56, 268],
  [90, 284],
  [118, 300],
  [124, 324],
  [96, 316],
  [68, 304],
]);

type Side = 'left' | 'right';
type Paired<R extends string> = R extends `${infer B}_left` ? B : never;

function pair(base: Paired<Region>, cmds: Cmd[], f: Figure): Shape[] {
  return (['left', 'right'] as Side[]).map((side) => ({
    region: `${base}_${side}` as Region,
    panel: f.panel,
    d: path(cmds, f, (side === 'left' ? f.leftSign : -f.leftSign) as 1 | -1),
  }));
}

function single(region: Region, cmds: Cmd[], f: Figure): Shape {
  return { region, panel: f.panel, d: path(cmds, f) };
}

/** Every clickable shape, in drawing order (later shapes sit on top). */
export const SHAPES: Shape[] = [
  // Front view
  ...pair('upper_trapezius', BODY_UPPER_TRAPEZIUS, FRONT),
  ...pair('shoulder', BODY_SHOULDER, FRONT),
  // Back view
  single('upper_back', BODY_UPPER_BACK, BACK),
  ...pair('upper_trapezius', BODY_UPPER_TRAPEZIUS, BACK),
  ...pair('shoulder', BODY_SHOULDER, BACK),
  single('cervical_spine', BODY_CERVICAL_SPINE, BACK),
  // Close-up: face and front of the neck
  single('scalp_frontal', SCALP_CAP, FACE),
  single('frontalis', FRONTALIS, FACE),
  ...pair('temporalis', TEMPORALIS, FACE),
  ...pair('masseter', MASSETER, FACE),
  ...pair('scalenes', SCALENES, FACE),
  ...pair('scm', SCM, FACE),
  // Close-up: back of the head and neck
  single('scalp_parietal', SCALP_CAP, NAPE),
  single('scalp_occipital', SCALP_OCCIPITAL, NAPE),
  single('occipitalis', OCCIPITALIS, NAPE),
  ...pair('suboccipitals', SUBOCCIPITALS, NAPE),
  ...pair('upper_trapezius', NAPE_UPPER_TRAPEZIUS, NAPE),
  ...pair('levator_scapulae', LEVATOR, NAPE),
  single('cervical_spine', NAPE_CERVICAL_SPINE, NAPE),
];

/** The figures' lines, drawn under the regions. */
export const OUTLINES: Outline[] = [
  { group: 'bodies', d: path(BODY_HEAD, FRONT) },
  { group: 'bodies', d: path(BODY_TORSO, FRONT) },
  { group: 'bodies', d: path(BODY_ARM, FRONT) },
  { group: 'bodies', d: path(BODY_ARM, FRONT, -1) },
  { group: 'bodies', d: path(BODY_FRONT_FEATURES, FRONT), detail: true },
  { group: 'bodies', d: path(BODY_HEAD, BACK) },
  { group: 'bodies', d: path(BODY_TORSO, BACK) },
  { group: 'bodies', d: path(BODY_ARM, BACK) },
  { group: 'bodies', d: path(BODY_ARM, BACK, -1) },
  { group: 'bodies', d: path(BODY_BACK_FEATURES, BACK), detail: true },
  { group: 'closeup', d: path(HEAD, FACE) },
  { group: 'closeup', d: path(EARS, FACE) },
  { group: 'closeup', d: path(NECK_AND_SHOULDERS, FACE) },
  { group: 'closeup', d: path(FACE_FEATURES, FACE), detail: true },
  { group: 'closeup', d: path(BUST_CUT, FACE), detail: true },
  { group: 'closeup', d: path(HEAD, NAPE) },
  { group: 'closeup', d: path(EARS, NAPE) },
  { group: 'closeup', d: path(NECK_AND_SHOULDERS, NAPE) },
  { group: 'closeup', d: path(NAPE_FEATURES, NAPE), detail: true },
  { group: 'closeup', d: path(BUST_CUT, NAPE), detail: true },
];

function sideLabels(f: Figure, dx: number, y: number): SideLabel[] {
  const s = f.scale;
  return [
    { x: round(f.cx + f.leftSign * dx * s), y: round(y * s), text: 'L' },
    { x: round(f.cx - f.leftSign * dx * s), y: round(y * s), text: 'R' },
  ];
}

export const SIDE_LABELS: SideLabel[] = [
  ...sideLabels(FRONT, 88, 128),
  ...sideLabels(BACK, 88, 128),
  ...sideLabels(FACE, 92, 92),
  ...sideLabels(NAPE, 92, 92),
];

export const CAPTIONS: Caption[] = [
  { x: FRONT.cx, y: 24, text: 'Front' },
  { x: BACK.cx, y: 24, text: 'Back' },
  { x: round((FACE.cx + NAPE.cx) / 2), y: 24, text: 'Head and neck, close-up' },
  { x: FACE.cx, y: 386, text: 'face', small: true },
  { x: NAPE.cx, y: 386, text: 'back of head', small: true },
];

/** The line between the front and back views (inside the bodies group). */
export const DIVIDERS = [200];

/** The numbers in a path string, as points, for tests. */
export function pathPoints(d: string): [number, number][] {
  const nums = (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
  const pts: [number, number][] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) pts.push([nums[i], nums[i + 1]]);
  return pts;
}
