/**
 * The HTML of the experiments dashboard: one page per namespace (`/experiments?namespace=NS`) that
 * fetches the namespace's readout from `/experiments/{namespace}` and draws each experiment: a
 * sample-ratio-mismatch warning when it applies, per metric a table (the same columns and number
 * formats as `p13n experiments report`), the rates as interval bars, and the cumulative conversion
 * rate over time with uPlot. Every asset is served from this app (no CDN).
 */
const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Runs in the browser; kept as plain JavaScript so it ships without a build step. */
const CLIENT_SCRIPT = `
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const percent = (x, d = 2) => (x === null || x === undefined ? '—' : (x * 100).toFixed(d) + '%');
const signed = (x, d = 1) => (x >= 0 ? '+' : '') + (x * 100).toFixed(d) + '%';
const pValue = (p) => (p === null || p === undefined ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
};

function row(v, m) {
  const vs = m.versusControl;
  const rate = percent(m.rate) + (m.rateInterval ? ' [' + percent(m.rateInterval.lower) + ', ' + percent(m.rateInterval.upper) + ']' : '');
  const lift = !vs ? 'control' : vs.lift === null ? '—'
    : signed(vs.lift) + (vs.liftInterval ? ' [' + signed(vs.liftInterval.lower) + ', ' + signed(vs.liftInterval.upper) + ']' : '');
  return [v.variation, String(v.exposedUsers), String(m.convertedUsers), rate,
    m.meanValue === null ? '—' : m.meanValue.toFixed(2), lift, vs ? pValue(vs.pValue) : ''];
}

function intervalBars(e, metric) {
  const rates = e.variations.map((v) => v.metrics[metric]);
  const top = Math.max(0.0001, ...rates.map((m) => (m.rateInterval ? m.rateInterval.upper : 0))) * 1.1;
  const box = el('div', { class: 'bars' });
  e.variations.forEach((v, i) => {
    const m = v.metrics[metric];
    const line = el('div', { class: 'bar-row' }, el('span', { class: 'bar-label' }, v.variation));
    const track = el('div', { class: 'track' });
    if (m.rateInterval) {
      const span = el('div', { class: 'interval', title: '95% interval' });
      span.style.left = (m.rateInterval.lower / top) * 100 + '%';
      span.style.width = ((m.rateInterval.upper - m.rateInterval.lower) / top) * 100 + '%';
      span.style.background = COLORS[i % COLORS.length];
      const dot = el('div', { class: 'point' });
      dot.style.left = (m.rate / top) * 100 + '%';
      track.append(span, dot);
    }
    line.append(track, el('span', { class: 'bar-value' }, percent(m.rate)));
    box.append(line);
  });
  return box;
}

function chart(e, metric, width) {
  const points = (e.series && e.series[metric]) || [];
  const box = el('div', { class: 'chart', 'data-chart': e.feature + '/' + metric });
  if (points.length === 0) return box;
  const data = [points.map((p) => Date.parse(p.at) / 1000)];
  e.variations.forEach((_, i) => data.push(points.map((p) => (p.rates[i] === null ? null : p.rates[i] * 100))));
  const series = [{}].concat(e.variations.map((v, i) => ({ label: v.variation, stroke: COLORS[i % COLORS.length], width: 2,
    value: (_, y) => (y === null ? '—' : y.toFixed(2) + '%') })));
  new uPlot({ title: 'Cumulative conversion rate: ' + metric, width, height: 220, series,
    axes: [{}, { values: (_, ticks) => ticks.map((t) => t.toFixed(1) + '%') }] }, data, box);
  return box;
}

function experimentCard(e) {
  const card = el('section', { class: 'experiment', 'data-experiment': e.feature });
  card.append(el('h2', {}, e.recommender + ' / ' + e.feature + ' (' + e.method + ')'));
  card.append(el('p', { class: 'summary' }, e.exposedUsers + ' users exposed' + (e.description ? ' — ' + e.description : '')));
  if (e.note) {
    card.append(el('p', { class: 'note' }, e.note));
    return card;
  }
  if (e.sampleRatio && e.sampleRatio.mismatch) {
    card.append(el('p', { class: 'srm-warning', role: 'alert' },
      'Sample ratio mismatch: users split ' + e.variations.map((v) => v.exposedUsers).join(' / ') + ' against weights ' +
      e.variations.map((v) => v.weight).join(' / ') + ' (p = ' + pValue(e.sampleRatio.pValue) +
      ' < 0.001). Find the cause before trusting any comparison.'));
  } else if (e.sampleRatio) {
    card.append(el('p', { class: 'srm-ok' }, 'Sample ratio ok (p = ' + pValue(e.sampleRatio.pValue) + ')'));
  }
  card.append(el('p', { class: 'first-exposure' }, 'First exposure: ' + e.variations
    .filter((v) => v.firstExposure).map((v) => v.variation + ' ' + v.firstExposure).join(', ')));
  if (e.minimumSample) {
    card.append(el('p', { class: 'minimum' }, 'Minimum sample ' + e.minimumSample.perVariation + ' users per variation: ' +
      (e.minimumSample.reached ? 'reached' : 'not reached yet')));
  }
  for (const metric of e.metrics) {
    const block = el('div', { class: 'metric', 'data-metric': metric }, el('h3', {}, 'Metric ' + metric));
    const table = el('table', { class: 'readout' });
    table.append(el('thead', {}, el('tr', {}, ...['variation', 'users', 'converted', 'rate [95% CI]', 'value/user',
      'lift vs control [95% CI]', 'p-value'].map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const v of e.variations) body.append(el('tr', {}, ...row(v, v.metrics[metric]).map((c) => el('td', {}, c))));
    table.append(body);
    block.append(table, intervalBars(e, metric));
    const u = e.unattributed[metric];
    if (u && u.conversions > 0) block.append(el('p', { class: 'unattributed' }, 'Unattributed (in no variation): ' + u.conversions + ' conversion(s)'));
    card.append(block);
    block.append(chart(e, metric, Math.min(900, document.body.clientWidth - 40)));
  }
  return card;
}

async function main() {
  const root = document.getElementById('experiments');
  const namespace = root.dataset.namespace;
  const res = await fetch('/experiments/' + encodeURIComponent(namespace));
  const readout = await res.json();
  if (!res.ok) {
    root.append(el('p', { class: 'error' }, readout.message || 'could not load the readout'));
    return;
  }
  const meta = document.getElementById('meta');
  meta.textContent = 'From ' + readout.source + ' at ' + readout.generatedAt;
  if (readout.malformedCount > 0) {
    root.append(el('p', { class: 'malformed' }, readout.malformedCount + ' malformed line(s) left out: ' +
      readout.malformed.map((m) => (m.file ? m.file + ':' : 'line ') + m.line + ' ' + m.reason).join('; ')));
  }
  if (readout.experiments.length === 0) root.append(el('p', {}, 'No experiments are configured in this namespace.'));
  for (const e of readout.experiments) root.append(experimentCard(e));
  root.dataset.ready = 'true';
}
main().catch((err) => {
  document.getElementById('experiments').append(el('p', { class: 'error' }, String(err)));
});
`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #222; }
nav a { margin-right: 12px; } nav a.current { font-weight: bold; }
.experiment { border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 16px 0; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child { text-align: left; }
.srm-warning { background: #fdecea; color: #8a1c12; border: 1px solid #f5c2bd; padding: 8px; font-weight: bold; }
.srm-ok, .minimum, .first-exposure, .summary, #meta { color: #555; }
.bars { width: 520px; margin: 8px 0; } .bar-row { display: flex; align-items: center; gap: 8px; height: 22px; }
.bar-label { width: 120px; } .bar-value { width: 70px; text-align: right; }
.track { position: relative; flex: 1; height: 10px; background: #f3f3f3; }
.interval { position: absolute; top: 2px; height: 6px; opacity: 0.6; }
.point { position: absolute; top: -1px; width: 3px; height: 12px; margin-left: -1px; background: #000; }
.unattributed, .malformed { color: #8a6d00; }
`;

/**
 * @example
 * dashboardPage({ namespaces: ['retail'], current: 'retail' });
 */
export function dashboardPage(options: { namespaces: string[]; current: string | undefined }): string {
  const links = options.namespaces
    .map(
      (ns) =>
        `<a href="/experiments?namespace=${encodeURIComponent(ns)}"${ns === options.current ? ' class="current"' : ''}>${escapeHtml(ns)}</a>`,
    )
    .join('');
  const body =
    options.current === undefined
      ? '<p>No namespaces are configured.</p>'
      : `<div id="experiments" data-namespace="${escapeHtml(options.current)}"></div>
  <script src="/experiments/assets/uPlot.iife.min.js"></script>
  <script>${CLIENT_SCRIPT}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Experiments${options.current ? `: ${escapeHtml(options.current)}` : ''}</title>
  <link rel="stylesheet" href="/experiments/assets/uPlot.min.css">
  <style>${STYLE}</style>
</head>
<body>
  <h1>Experiments${options.current ? `: ${escapeHtml(options.current)}` : ''}</h1>
  <nav>${links}</nav>
  <p id="meta"></p>
  ${body}
</body>
</html>
`;
}
