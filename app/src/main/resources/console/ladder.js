// The ladder diagram of one flow as every vantage (host/interface) recorded it: one vertical line per vantage,
// client side left, time downwards, one arrow per packet through the vantages that saw it. A packet that left a
// vantage and never reached the next capturing one ends in a dashed, red ×; control-mode summaries (counts a sensor
// sent instead of packets) are brackets on their vantage's line, never drawn as packets.

import {el, svg} from './dom.js';

const TOP = 64;              // room for the vantage labels
const GUTTER = 112;          // time offsets, left of the first vantage
const MIN_GAP = 46;          // two packets close in time stay two readable rows (labels are two lines)
const MAX_GAP = 150;         // a long pause does not push the rest off the page; its length is written instead
const PX_PER_MS = 0.07;      // 1 s of capture time = 70 px, between those bounds
const STEP_SLOPE = 10;       // an arrow drops this much per vantage it crosses: it reads as travel, not as a time
const STUB = 80;             // a packet seen at one vantage only: a short arrow through it
const LOST_REACH = 0.55;     // how far towards the next vantage a lost packet's broken arrow goes

/** A figure with the SVG, its text legend and the same packets as a table. */
export function ladderFigure(ladder) {
  const vantages = ladder.vantages || [];
  const arrows = [...(ladder.arrows || [])].filter((arrow) => arrow.hops?.length)
    .sort((a, b) => a.hops[0].ts_micros - b.hops[0].ts_micros);
  const summaries = ladder.summaries || [];
  const start = Number(ladder.start_micros ?? arrows[0]?.hops[0].ts_micros ?? 0);
  const layout = lay(vantages, arrows, summaries, start);
  const drawing = svg('svg', {
    class: 'ladder', role: 'img', width: layout.width, height: layout.height,
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    'aria-label': `Ladder diagram: ${arrows.length} packets seen at ${vantages.map((v) => v.id).join(', ')}`,
  },
  markers(),
  vantages.map((vantage, index) => vantageLine(vantage, layout.x(index), layout.height)),
  layout.pauses.map((pause) => pauseMark(pause)),
  summaries.map((summary) => bracket(summary, layout)),
  arrows.map((arrow) => arrowGroup(arrow, layout, start)));
  return el('figure', {class: 'ladder-figure'},
    el('div', {class: 'ladder-scroll', tabindex: 0, 'aria-label': 'Ladder diagram (scrolls)'}, drawing),
    legend(arrows.some((arrow) => arrow.lost_after), summaries.length > 0),
    packetTable(arrows, summaries, start));
}

// Positions: x per vantage, y per instant (arrow starts and summary bounds), gaps scaled by time within bounds.
function lay(vantages, arrows, summaries, start) {
  const spacing = vantages.length <= 2 ? 400 : vantages.length === 3 ? 250 : 210;
  const x = (index) => GUTTER + 70 + index * spacing;
  const instants = [...new Set([...arrows.map((arrow) => arrow.hops[0].ts_micros),
    ...summaries.flatMap((summary) => [summary.from_micros, summary.to_micros])].map(Number))].sort((a, b) => a - b);
  const yAt = new Map();
  const pauses = [];
  let y = TOP + 40;
  instants.forEach((instant, index) => {
    if (index > 0) {
      const millis = (instant - instants[index - 1]) / 1000;
      const gap = Math.min(Math.max(millis * PX_PER_MS, MIN_GAP), MAX_GAP);
      if (millis * PX_PER_MS > MAX_GAP) pauses.push({y: y + gap / 2, millis});
      y += gap;
    }
    yAt.set(instant, y);
  });
  const rightMargin = summaries.length ? 250 : 90;
  return {
    x, pauses, vantageIndex: new Map(vantages.map((vantage, index) => [vantage.id, index])),
    y: (micros) => yAt.get(Number(micros)) ?? TOP + 40,
    width: x(Math.max(vantages.length - 1, 0)) + rightMargin,
    height: y + 70,
  };
}

function markers() {
  const head = (id) => svg('marker', {id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8,
    orient: 'auto-start-reverse'}, svg('path', {d: 'M0,0 L10,5 L0,10 z', class: `head ${id}`}));
  return svg('defs', {}, head('head-to_server'), head('head-to_client'));
}

function vantageLine(vantage, x, height) {
  return svg('g', {class: 'vantage', 'data-vantage': vantage.id, 'data-host': vantage.host},
    svg('text', {x, y: 24, class: 'vantage-host', 'text-anchor': 'middle'}, vantage.host ?? vantage.id),
    svg('text', {x, y: 42, class: 'vantage-iface', 'text-anchor': 'middle'}, vantage.iface ?? ''),
    svg('line', {x1: x, y1: TOP - 8, x2: x, y2: height - 24, class: 'vantage-line'}));
}

function pauseMark(pause) {
  return svg('text', {x: GUTTER - 14, y: pause.y + 4, class: 'pause', 'text-anchor': 'end'},
    `⋮ ${(pause.millis / 1000).toFixed(1)} s`);
}

function arrowGroup(arrow, layout, start) {
  const direction = arrow.direction === 'to_client' ? 'to_client' : 'to_server';
  const rowY = layout.y(arrow.hops[0].ts_micros);
  const known = arrow.hops.filter((hop) => layout.vantageIndex.has(hop.vantage));
  const first = layout.vantageIndex.get(known[0]?.vantage) ?? 0;
  const points = known.map((hop) => {
    const index = layout.vantageIndex.get(hop.vantage);
    return {x: layout.x(index), y: rowY + Math.abs(index - first) * STEP_SLOPE, index};
  });
  const lost = Boolean(arrow.lost_after);
  const step = direction === 'to_server' ? 1 : -1;
  const shapes = [];
  let end;
  if (lost) {
    // The broken arrow: from where it was last seen towards the next vantage, ending in an ×.
    const last = points[points.length - 1] || {x: layout.x(first), y: rowY, index: first};
    const nextX = layout.x(last.index + step);
    end = {x: last.x + (nextX - last.x) * LOST_REACH, y: last.y + STEP_SLOPE};
    shapes.push(svg('polyline', {points: [...points, end].map((p) => `${p.x},${p.y}`).join(' '), class: 'packet-line lost'}),
      cross(end));
  } else if (points.length === 1) {
    const only = points[0];
    end = {x: only.x + (step * STUB) / 2, y: only.y};
    shapes.push(svg('line', {x1: only.x - (step * STUB) / 2, y1: only.y, x2: end.x, y2: end.y,
      class: `packet-line ${direction}`, 'marker-end': `url(#head-${direction})`}));
  } else {
    end = points[points.length - 1];
    shapes.push(svg('polyline', {points: points.map((p) => `${p.x},${p.y}`).join(' '),
      class: `packet-line ${direction}`, 'marker-end': `url(#head-${direction})`}));
  }
  const labelX = ((points[0]?.x ?? end.x) + end.x) / 2;
  const offset = (micros) => `${((Number(micros) - start) / 1000).toFixed(3)} ms`;
  return svg('g', {
    class: `arrow ${direction}${lost ? ' lost' : ''}`, 'data-flags': arrow.flags, 'data-direction': direction,
    'data-hops': arrow.hops.map((hop) => hop.vantage).join(' '), 'data-lost-after': arrow.lost_after || '',
  },
  svg('title', {}, `${arrow.flags} ${arrow.src} → ${arrow.dst}; seen at ${arrow.hops.map((hop) =>
    `${hop.vantage} +${offset(hop.ts_micros)}`).join(', ')}${lost ? `; lost after ${arrow.lost_after}` : ''}`),
  svg('text', {x: GUTTER - 14, y: rowY + 4, class: 'offset', 'text-anchor': 'end'}, `+${offset(arrow.hops[0].ts_micros)}`),
  shapes,
  points.map((point) => svg('circle', {cx: point.x, cy: point.y, r: 3.5, class: `seen ${lost ? 'lost' : direction}`})),
  svg('text', {x: labelX, y: rowY - 20, class: `packet-label${lost ? ' lost' : ''}`, 'text-anchor': 'middle'},
    svg('tspan', {class: 'flags'}, arrow.flags), `  len ${arrow.len}${lost ? `  lost after ${arrow.lost_after}` : ''}`),
  svg('text', {x: labelX, y: rowY - 7, class: 'packet-numbers', 'text-anchor': 'middle'}, numbers(arrow)));
}

function cross({x, y}) {
  const size = 6;
  return svg('path', {d: `M${x - size},${y - size} L${x + size},${y + size} M${x - size},${y + size} L${x + size},${y - size}`,
    class: 'lost-cross'});
}

// A control-mode summary: a bracket on its vantage's line over the time it covers, with its text beside it.
function bracket(summary, layout) {
  const index = layout.vantageIndex.get(summary.vantage) ?? 0;
  const x = layout.x(index) + 10;
  const top = layout.y(summary.from_micros);
  const bottom = Math.max(layout.y(summary.to_micros), top + 24);
  const lines = wrap(String(summary.text ?? ''), 30);
  return svg('g', {class: 'summary-bracket', 'data-vantage': summary.vantage},
    svg('path', {d: `M${x + 8},${top} H${x} V${bottom} H${x + 8}`}),
    svg('text', {x: x + 14, y: (top + bottom) / 2 - (lines.length - 1) * 7 + 4},
      lines.map((line, i) => svg('tspan', {x: x + 14, dy: i === 0 ? 0 : 14}, line))));
}

function numbers(arrow) {
  const parts = [`seq ${arrow.seq}`, `ack ${arrow.ack}`];
  if (arrow.tsval !== null && arrow.tsval !== undefined) parts.push(`TSval ${arrow.tsval}`);
  return parts.join('  ');
}

function wrap(text, width) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && (line + ' ' + word).length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function legend(hasLost, hasSummaries) {
  const swatch = (...shapes) => svg('svg', {width: 44, height: 14, 'aria-hidden': 'true'}, shapes);
  return el('ul', {class: 'legend', 'aria-label': 'Legend'},
    el('li', {}, swatch(svg('line', {x1: 2, y1: 7, x2: 40, y2: 7, class: 'packet-line to_server'})),
      'to the server (client side left)'),
    el('li', {}, swatch(svg('line', {x1: 2, y1: 7, x2: 40, y2: 7, class: 'packet-line to_client'})),
      'to the client; a dot where a vantage recorded the packet'),
    hasLost ? el('li', {}, swatch(svg('line', {x1: 2, y1: 7, x2: 32, y2: 7, class: 'packet-line lost'}), cross({x: 34, y: 7})),
      'lost: left that vantage and never reached the next one that was capturing') : null,
    hasSummaries ? el('li', {}, swatch(svg('path', {d: 'M14,1 H8 V13 H14', class: 'bracket-swatch'})),
      'control-mode summary: the sensor sent counts for this time, not packets') : null);
}

function packetTable(arrows, summaries, start) {
  const ms = (micros) => `+${((Number(micros) - start) / 1000).toFixed(3)} ms`;
  return el('details', {class: 'packet-table'}, el('summary', {}, 'The same packets as a table'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Time', 'Direction', 'Flags', 'Seq', 'Ack', 'TSval', 'Len', 'Seen at', 'Lost after']
        .map((name) => el('th', {scope: 'col'}, name)))),
      el('tbody', {}, arrows.map((arrow) => el('tr', {},
        el('td', {}, ms(arrow.hops[0].ts_micros)), el('td', {}, `${arrow.src} → ${arrow.dst}`), el('td', {}, arrow.flags),
        el('td', {}, String(arrow.seq)), el('td', {}, String(arrow.ack)), el('td', {}, arrow.tsval ?? '—'),
        el('td', {}, String(arrow.len)),
        el('td', {}, arrow.hops.map((hop) => `${hop.vantage} ${ms(hop.ts_micros)}`).join(', ')),
        el('td', {}, arrow.lost_after || '—'))),
      summaries.map((summary) => el('tr', {class: 'summary-row'},
        el('td', {}, ms(summary.from_micros)), el('td', {colspan: 6}, `summary at ${summary.vantage}: ${summary.text}`),
        el('td', {colspan: 2}, `until ${ms(summary.to_micros)}`))))));
}
