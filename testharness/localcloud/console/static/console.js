// The local cloud's console: plain DOM, no framework. It loads the newest
// history once, then follows it through server-sent events (api/stream);
// nothing here polls.
'use strict';

const $ = (id) => document.getElementById(id);

// h builds an element; text children are text nodes, never HTML.
function h(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) {
    if (k !== null && k !== undefined && k !== false && k !== '') e.append(k instanceof Node ? k : String(k));
  }
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function sv(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

async function getJSON(url) {
  const r = await fetch(url, { cache: 'no-store' });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message || body.Message || r.statusText);
  return body;
}

async function postJSON(url, value) {
  const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message || body.Message || r.statusText);
  return body;
}

// shortArn names a resource by the last part of its ARN.
function shortArn(arn) {
  if (!arn) return '';
  if (!arn.startsWith('arn:')) return arn;
  const resource = arn.split(':').slice(5).join(':'); // after arn:partition:service:region:account:
  const stream = resource.match(/^table\/([^/]+)\/stream\//);
  if (stream) return `${stream[1]} stream`;
  const tail = resource.slice(resource.lastIndexOf(':') + 1);
  return tail.slice(tail.lastIndexOf('/') + 1);
}

function clock(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

const span = (cls, text) => h('span', { class: cls }, text);
const link = (href, text) => h('a', { href }, text);

// ---- the event stream ------------------------------------------------

const STREAM_KINDS = ['event', 'delivery', 'streamRecord', 'invocation', 'denial', 'fault'];
const ROW = 22; // px, as .row in the CSS
const MAX_ROWS = 20000; // rows the page holds; older ones go
const PAGE = 500; // rows a load, or "Load older", brings

const events = { rows: [], kinds: new Set(STREAM_KINDS), text: '', trace: '', selected: 0, follow: true };
let lastSeq = 0;

// summary is a record's one-line description.
function summary(rec) {
  switch (rec.kind) {
    case 'event': {
      const e = rec.event;
      const rules = e.matched.length ? ` (${e.matched.map(shortArn).join(', ')})` : '';
      return [span('kind k-event', 'EVENT'), `${e.detailType} `, span('note', `from ${e.source} on ${shortArn(e.bus)} `),
        e.replay ? span('chip', `replay ${e.replay}`) : '',
        ` rules: ${e.matched.length} matched${rules}, ${e.unmatched.length} not`];
    }
    case 'delivery': {
      const d = rec.delivery;
      const cls = d.outcome === 'delivered' ? 'good' : d.outcome === 'retrying' ? 'warn' : 'bad';
      return [span('kind k-delivery', 'DELIVERY'), `→ ${shortArn(d.target)} `, span(cls, d.outcome),
        d.errorCode ? ` ${d.errorCode}` : '', ` attempt ${d.attempt}, rule ${shortArn(d.rule)}`];
    }
    case 'streamRecord': {
      const r = rec.streamRecord;
      return [span('kind k-streamRecord', 'RECORD'), `${r.eventName} ${r.keys} → pipe ${shortArn(r.pipe)} `,
        r.passed ? span('good', 'passed the filter') : span('warn', 'filtered out')];
    }
    case 'invocation': {
      const i = rec.invocation;
      return [span('kind k-invocation', 'INVOKE'), `${shortArn(i.function)} ${i.durationMs} ms`,
        i.initDurationMs ? ` (cold start ${i.initDurationMs} ms)` : '',
        i.errorType ? span('bad', ` ${i.errorType}`) : span('good', ' ok'),
        i.fault ? span('bad', ` fault ${i.fault}`) : '', ` · ${i.logs.length} log lines`];
    }
    case 'denial': {
      const d = rec.denial;
      return [span('kind k-denial', 'DENIED'), `${d.service} ${d.code}: `, d.message];
    }
    case 'fault': {
      const f = rec.fault;
      return [span('kind k-fault', 'FAULT'), `${f.id} ${f.action} ${f.service} `, (f.operations || []).join(' '),
        f.errorCode ? ` ${f.errorCode}` : ''];
    }
  }
  return [rec.kind];
}

function matchesFilter(rec) {
  if (!events.kinds.has(rec.kind)) return false;
  if (events.trace && rec.traceId !== events.trace) return false;
  return !events.text || JSON.stringify(rec).includes(events.text);
}

function recordsURL(extra) {
  const p = new URLSearchParams(extra);
  if (events.kinds.size < STREAM_KINDS.length) {
    for (const k of events.kinds) p.append('kind', k);
  } else {
    for (const k of STREAM_KINDS) p.append('kind', k);
  }
  if (events.text) p.set('q', events.text);
  if (events.trace) p.set('trace', events.trace);
  return 'api/records?' + p;
}

async function loadEvents() {
  const page = await getJSON(recordsURL({ limit: PAGE }));
  events.rows = page.records;
  events.follow = true;
  $('events-older').disabled = !page.more;
  scheduleList();
  return page.last;
}

async function loadOlder() {
  if (!events.rows.length) return;
  const page = await getJSON(recordsURL({ limit: PAGE, before: events.rows[0].seq }));
  const list = $('events-list');
  events.rows = page.records.concat(events.rows);
  $('events-older').disabled = !page.more;
  list.scrollTop += page.records.length * ROW;
  scheduleList();
}

// The list is virtual: only rows in view (and a margin) are in the DOM.
const shown = new Map(); // row index → element
let listQueued = false;

function scheduleList() {
  if (listQueued) return;
  listQueued = true;
  requestAnimationFrame(() => {
    listQueued = false;
    renderList();
  });
}

function renderList() {
  const list = $('events-list');
  list.firstElementChild.style.height = `${events.rows.length * ROW}px`;
  if (events.follow) list.scrollTop = list.scrollHeight;
  const top = list.scrollTop;
  const height = list.clientHeight || 600;
  const first = Math.max(0, Math.floor(top / ROW) - 10);
  const last = Math.min(events.rows.length, Math.ceil((top + height) / ROW) + 10);
  for (const [i, node] of shown) {
    const rec = events.rows[i];
    if (i < first || i >= last || !rec || node.dataset.seq !== String(rec.seq)) {
      node.remove();
      shown.delete(i);
    }
  }
  for (let i = first; i < last; i++) {
    if (shown.has(i)) continue;
    const rec = events.rows[i];
    const node = h('div', { class: 'row' + (rec.seq === events.selected ? ' selected' : ''), role: 'listitem',
      'data-seq': rec.seq, 'data-kind': rec.kind, style: `top:${i * ROW}px` },
    span('t', clock(rec.time)), summary(rec));
    node.addEventListener('click', () => select(rec));
    list.append(node);
    shown.set(i, node);
  }
  $('events-count').textContent = `${events.rows.length} shown`;
}

function select(rec) {
  events.selected = rec.seq;
  for (const node of shown.values()) node.classList.toggle('selected', node.dataset.seq === String(rec.seq));
  $('events-detail').replaceChildren(...detail(rec));
}

function field(name, ...value) {
  return [h('dt', {}, name), h('dd', {}, ...value)];
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

// detail is everything a record says, for the side pane.
function detail(rec) {
  const out = [h('h3', {}, summary(rec))];
  const dl = [field('time', rec.time), field('seq', rec.seq)];
  if (rec.traceId) {
    dl.push(field('trace', link('#trace/' + rec.traceId, rec.traceId), ' · ',
      link('#events/trace/' + rec.traceId, 'all of this trace')));
  }
  const body = rec[rec.kind];
  const extra = [];
  for (const [k, v] of Object.entries(body)) {
    if (k === 'logs' || k === 'detail' || Array.isArray(v)) continue;
    dl.push(field(k, String(v)));
  }
  if (rec.kind === 'event') {
    dl.push(field('matched', body.matched.length ? body.matched.join('\n') : 'no rule'));
    dl.push(field('not matched', body.unmatched.length ? body.unmatched.join('\n') : '—'));
    extra.push(h('h4', {}, 'detail'), h('pre', {}, pretty(body.detail)));
    const outcomes = events.rows.filter((r) => r.kind === 'delivery' && r.delivery.eventId === body.id);
    if (outcomes.length) {
      extra.push(h('h4', {}, 'deliveries'), h('ul', {}, outcomes.map((r) => h('li', {}, summary(r).slice(1)))));
    }
  }
  if (rec.kind === 'invocation') extra.push(h('h4', {}, 'log lines'), h('pre', { class: 'logs' }, body.logs.join('\n')));
  if (rec.kind === 'fault') dl.push(field('resources', (body.resources || []).join('\n')));
  out.push(h('dl', {}, dl.flat()), ...extra);
  return out;
}

function onRecord(rec) {
  lastSeq = Math.max(lastSeq, rec.seq);
  if (rec.kind === 'testRun') {
    if (!runs.some((r) => r.seq === rec.seq)) {
      runs.unshift(rec);
      renderRuns();
    }
    return;
  }
  if (!STREAM_KINDS.includes(rec.kind) || !matchesFilter(rec)) return;
  const rows = events.rows;
  if (rows.length && rec.seq <= rows[rows.length - 1].seq) return;
  rows.push(rec);
  if (rows.length > MAX_ROWS) rows.splice(0, rows.length - MAX_ROWS);
  scheduleList();
}

function setTraceFilter(trace) {
  const chip = $('events-trace');
  chip.hidden = !trace;
  chip.replaceChildren(`trace ${trace}`, h('button', { type: 'button', title: 'show every trace', onclick: () => { location.hash = '#events'; } }, '×'));
  if (trace === events.trace) return false;
  events.trace = trace;
  return true;
}

// ---- test runs -------------------------------------------------------

const runs = []; // testRun records, newest first

async function loadRuns() {
  const page = await getJSON('api/records?kind=testRun&limit=100');
  runs.splice(0, runs.length, ...page.records.reverse());
  renderRuns();
  return page.last;
}

function renderRuns() {
  if (!runs.length) return;
  $('runs-list').replaceChildren(...runs.map((rec) => {
    const r = rec.testRun;
    const verdict = r.failed ? span('verdict fail', 'FAILED') : span('verdict pass', 'PASSED');
    return h('div', { class: 'run', 'data-run': r.executionArn },
      h('h2', {}, clock(rec.time), ' — ', verdict, ` ${r.passed} passed, ${r.failed} failed, verdict in ${r.verdictMs} ms `,
        span('note mono', r.executionArn)),
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['verdict', 'test', 'time to verdict', 'reason', 'look at'].map((t) => h('th', {}, t)))),
        h('tbody', {}, r.results.map((t) => h('tr', { 'data-test': t.name },
          h('td', {}, t.passed ? span('verdict pass', 'PASS') : span('verdict fail', 'FAIL')),
          h('td', {}, t.name),
          h('td', {}, `${t.durationMs} ms`),
          h('td', {}, t.reason || ''),
          h('td', {},
            t.traceId ? [link('#trace/' + t.traceId, 'trace'), ' · ', link('#events/trace/' + t.traceId, 'log lines')] : '',
            t.correlationId ? [' · ', link('#traces/correlation/' + encodeURIComponent(t.correlationId), 'traces of ' + t.correlationId)] : ''))))));
  }));
}

// ---- traces ----------------------------------------------------------

let tracesBusy = false;
let tracesAgain = false;
let tracesStale = true;

function quote(s) {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

// traceFilter is the X-Ray filter expression the form asks for.
function traceFilter() {
  const parts = [];
  const corr = $('traces-correlation').value.trim();
  if (corr) parts.push(`annotation.correlation_id = ${quote(corr)}`);
  const ann = $('traces-annotation').value.trim();
  if (ann) {
    const i = ann.indexOf('=');
    parts.push(i < 0 ? `annotation.${ann}` : `annotation.${ann.slice(0, i).trim()} = ${quote(ann.slice(i + 1).trim())}`);
  }
  if ($('traces-error').checked) parts.push('error');
  if ($('traces-fault').checked) parts.push('fault');
  const expr = $('traces-expr').value.trim();
  if (expr) parts.push(`(${expr})`);
  return parts.join(' AND ');
}

async function loadTraces() {
  if (tracesBusy) {
    tracesAgain = true;
    return;
  }
  tracesBusy = true;
  tracesStale = false;
  try {
    const filter = traceFilter();
    const res = await getJSON('api/traces?limit=200&filter=' + encodeURIComponent(filter));
    renderTraces(res, filter);
  } catch (e) {
    $('traces-count').textContent = e.message;
  } finally {
    tracesBusy = false;
    if (tracesAgain) {
      tracesAgain = false;
      loadTraces();
    }
  }
}

function annotations(sum) {
  const out = [];
  for (const [k, vals] of Object.entries(sum.Annotations || {})) {
    for (const v of vals) {
      const a = v.AnnotationValue;
      out.push(`${k}=${a.StringValue ?? a.NumberValue ?? a.BooleanValue}`);
    }
  }
  return out.join(' ');
}

function renderTraces(res, filter) {
  const rows = res.TraceSummaries;
  $('traces-table').dataset.filter = filter;
  $('traces-count').textContent = `${res.Matched} traces match` + (res.Matched > rows.length ? `; the newest ${rows.length} are shown` : '');
  $('traces-table').tBodies[0].replaceChildren(...rows.map((t) => {
    const status = t.HasFault ? span('bad', 'fault') : t.HasError ? span('warn', 'error') : t.HasThrottle ? span('warn', 'throttle') : span('good', 'ok');
    return h('tr', { class: 'clickable', 'data-trace': t.Id, onclick: () => { location.hash = '#trace/' + t.Id; } },
      h('td', {}, clock(t.StartTime * 1000)), h('td', { class: 'mono' }, t.Id), h('td', {}, `${(t.Duration * 1000).toFixed(1)} ms`),
      h('td', {}, status), h('td', { class: 'mono' }, annotations(t)), h('td', {}, [...new Set((t.ServiceIds || []).map((s) => s.Name))].join(', ')));
  }));
}

async function openTrace(id) {
  $('trace-detail').hidden = false;
  $('trace-title').textContent = `Trace ${id}`;
  $('trace-links').replaceChildren(link('#events/trace/' + id, 'events, invocations and log lines of this trace'));
  for (const tr of $('traces-table').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.trace === id);
  try {
    const [traces, graph] = await Promise.all([postJSON('api/xray/Traces', { TraceIds: [id] }),
      postJSON('api/xray/TraceGraph', { TraceIds: [id] })]);
    if (!traces.Traces.length) throw new Error(`no trace ${id} (it may have aged out)`);
    renderTimeline(traces.Traces[0].Segments);
    renderMap(graph.Services);
  } catch (e) {
    $('trace-timeline').replaceChildren(h('p', { class: 'note' }, e.message));
    $('trace-map').replaceChildren();
  }
}

// timelineRows nests segments and subsegments under their parents (a
// segment's parent_id may name another document's subsegment), in start
// order.
function timelineRows(segments) {
  const nodes = new Map();
  const all = [];
  const add = (doc) => {
    const n = { doc, start: doc.start_time, end: doc.end_time ?? doc.start_time, parent: doc.parent_id, kids: [] };
    nodes.set(doc.id, n);
    all.push(n);
    for (const sub of doc.subsegments || []) add(sub).parent = doc.id;
    return n;
  };
  for (const s of segments) add(JSON.parse(s.Document));
  const roots = [];
  for (const n of all) {
    const p = n.parent && nodes.get(n.parent);
    if (p && p !== n) p.kids.push(n);
    else roots.push(n);
  }
  const rows = [];
  const seen = new Set();
  const visit = (n, depth) => {
    if (seen.has(n)) return;
    seen.add(n);
    rows.push({ n, depth });
    n.kids.sort((a, b) => a.start - b.start).forEach((k) => visit(k, depth + 1));
  };
  roots.sort((a, b) => a.start - b.start).forEach((r) => visit(r, 0));
  return rows;
}

function renderTimeline(segments) {
  const rows = timelineRows(segments);
  const t0 = Math.min(...rows.map((r) => r.n.start));
  const t1 = Math.max(...rows.map((r) => r.n.end));
  const total = Math.max(t1 - t0, 1e-6);
  $('trace-timeline').replaceChildren(...rows.map(({ n, depth }) => {
    const d = n.doc;
    const cls = d.fault ? 'fault' : d.error ? 'error' : d.throttle ? 'throttle' : '';
    const left = ((n.start - t0) / total) * 100;
    const width = ((n.end - n.start) / total) * 100;
    return h('div', { class: 'tl-row', 'data-segment': d.id },
      h('div', { class: 'tl-name', style: `padding-left:${depth}em`, title: d.name }, d.name, d.origin ? span('note', ` ${d.origin}`) : ''),
      h('div', { class: 'tl-track' }, h('div', { class: `tl-bar ${cls}`, style: `left:${left}%;width:${width}%` })),
      h('div', { class: 'tl-ms' }, `${((n.end - n.start) * 1000).toFixed(1)} ms`));
  }));
}

function health(stats) {
  if (!stats) return '';
  if (stats.FaultStatistics && stats.FaultStatistics.TotalCount) return 'fault';
  if (stats.ErrorStatistics && stats.ErrorStatistics.TotalCount) return 'error';
  return '';
}

// renderMap draws the trace map: services as nodes in columns by their
// distance from the entry point, calls as edges with counts, latencies
// and error colours.
function renderMap(services) {
  const svg = $('trace-map');
  const byRef = new Map(services.map((s) => [s.ReferenceId, s]));
  const incoming = new Set(services.flatMap((s) => (s.Edges || []).map((e) => e.ReferenceId)));
  const depth = new Map();
  const queue = services.filter((s) => s.Root || !incoming.has(s.ReferenceId)).map((s) => s.ReferenceId);
  for (const r of queue) depth.set(r, 0);
  while (queue.length) {
    const r = queue.shift();
    for (const e of byRef.get(r).Edges || []) {
      if (!depth.has(e.ReferenceId) && byRef.has(e.ReferenceId)) {
        depth.set(e.ReferenceId, depth.get(r) + 1);
        queue.push(e.ReferenceId);
      }
    }
  }
  for (const s of services) if (!depth.has(s.ReferenceId)) depth.set(s.ReferenceId, 0);
  const columns = new Map();
  const pos = new Map();
  for (const s of services) {
    const d = depth.get(s.ReferenceId);
    const row = columns.get(d) || 0;
    columns.set(d, row + 1);
    pos.set(s.ReferenceId, { x: 90 + d * 240, y: 50 + row * 90 });
  }
  const width = 180 + Math.max(0, ...columns.keys()) * 240;
  const height = 60 + Math.max(1, ...columns.values()) * 90;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('height', height);
  const marker = sv('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto' });
  marker.append(sv('path', { d: 'M0,0 L10,5 L0,10 z' }));
  const defs = sv('defs');
  defs.append(marker);
  const parts = [defs];
  for (const s of services) {
    for (const e of s.Edges || []) {
      const a = pos.get(s.ReferenceId);
      const b = pos.get(e.ReferenceId);
      if (!b) continue;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const ux = (b.x - a.x) / len;
      const uy = (b.y - a.y) / len;
      const st = e.SummaryStatistics || {};
      parts.push(sv('line', { class: `edge ${health(st)}`, x1: a.x + ux * 24, y1: a.y + uy * 24, x2: b.x - ux * 26, y2: b.y - uy * 26, 'marker-end': 'url(#arrow)' }));
      const avg = st.TotalCount ? ((st.TotalResponseTime / st.TotalCount) * 1000).toFixed(1) : '0';
      parts.push(sv('text', { class: 'edge', x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 6, 'text-anchor': 'middle' }, `${st.TotalCount || 0} × ${avg} ms`));
    }
  }
  for (const s of services) {
    const p = pos.get(s.ReferenceId);
    const g = sv('g', { 'data-service': s.Name });
    g.append(sv('circle', { class: health(s.SummaryStatistics), cx: p.x, cy: p.y, r: 22 }));
    const name = s.Name.length > 32 ? s.Name.slice(0, 31) + '…' : s.Name;
    g.append(sv('text', { x: p.x, y: p.y + 38, 'text-anchor': 'middle' }, name));
    if (s.Type) g.append(sv('text', { class: 'edge', x: p.x, y: p.y + 51, 'text-anchor': 'middle' }, s.Type));
    parts.push(g);
  }
  svg.replaceChildren(...parts);
}

// ---- the stack -------------------------------------------------------

async function loadStack() {
  const list = $('stack-list');
  try {
    const { stacks } = await getJSON('api/stacks');
    if (!stacks.length) {
      list.replaceChildren(h('p', { class: 'note' }, 'Nothing is deployed.'));
      return;
    }
    list.replaceChildren(...stacks.map(renderStack));
  } catch (e) {
    list.replaceChildren(h('p', { class: 'note' }, e.message));
  }
}

function renderStack(st) {
  const byType = new Map();
  for (const r of st.resources) {
    if (!byType.has(r.type)) byType.set(r.type, []);
    byType.get(r.type).push(r);
  }
  const types = [...byType.keys()].sort();
  const glue = st.resources.filter((r) => r.glue);
  return h('div', { class: 'run', 'data-stack': st.name },
    h('h2', {}, `Stack ${st.name} — ${st.status}`, st.reason ? span('note', ` ${st.reason}`) : ''),
    glue.length ? h('table', { class: 'table glue' },
      h('thead', {}, h('tr', {}, ['glue', 'from', 'lets through', 'to'].map((t) => h('th', {}, t)))),
      h('tbody', {}, glue.map((r) => h('tr', { 'data-glue': r.logicalId },
        h('td', {}, r.logicalId, h('br'), span('note', r.type)),
        h('td', { class: 'mono' }, r.glue.from.map(shortArn).join(', ')),
        h('td', { class: 'mono' }, r.glue.filter || 'everything'),
        h('td', { class: 'mono' }, (r.glue.to || []).map(shortArn).join(', ') || 'nothing'))))) : '',
    st.outputs.length ? h('table', { class: 'table' }, h('tbody', {}, st.outputs.map((o) => h('tr', {}, h('th', {}, o.Key), h('td', { class: 'mono' }, o.Value))))) : '',
    types.map((t) => h('details', { class: 'type', open: byType.get(t).length <= 12 },
      h('summary', {}, `${t} (${byType.get(t).length})`),
      h('table', { class: 'table' }, h('tbody', {}, byType.get(t).map((r) => h('tr', {},
        h('td', {}, r.logicalId), h('td', { class: 'mono' }, r.physicalId), h('td', {}, r.status))))))));
}

// ---- navigation and the live stream ----------------------------------

function show(view) {
  for (const v of ['events', 'traces', 'runs', 'stack']) $('view-' + v).hidden = v !== view;
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === view);
  if (view === 'events') scheduleList();
}

// route shows what the address names:
// #events, #events/trace/<id>, #traces, #traces/correlation/<id>, #trace/<id>, #runs, #stack.
function route() {
  const [view, ...rest] = location.hash.slice(1).split('/');
  switch (view) {
    case 'traces':
      show('traces');
      if (rest[0] === 'correlation') $('traces-correlation').value = decodeURIComponent(rest[1] || '');
      $('trace-detail').hidden = true;
      loadTraces();
      break;
    case 'trace':
      show('traces');
      if (tracesStale) loadTraces();
      openTrace(decodeURIComponent(rest[0] || ''));
      break;
    case 'runs':
      show('runs');
      break;
    case 'stack':
      show('stack');
      loadStack();
      break;
    default:
      show('events');
      if (setTraceFilter(rest[0] === 'trace' ? decodeURIComponent(rest[1] || '') : '')) loadEvents().catch(fail);
  }
}

function setStatus(text, live) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('live', !!live);
}

function fail(e) {
  setStatus(`error: ${e.message}`);
}

// source is the live stream; a page put away (navigated from, kept in the
// back/forward cache) closes it, so that it holds none of the few
// connections a browser opens to one host, and opens it again on return.
let source = null;

window.addEventListener('pagehide', () => {
  if (source) source.close();
  source = null;
});
window.addEventListener('pageshow', (e) => {
  if (e.persisted && !source) connect();
});

function connect() {
  const es = new EventSource(`api/stream?after=${lastSeq}`);
  source = es;
  es.addEventListener('open', () => setStatus('live', true));
  es.addEventListener('error', () => setStatus('reconnecting…'));
  es.addEventListener('record', (m) => onRecord(JSON.parse(m.data)));
  es.addEventListener('traces', () => {
    if ($('view-traces').hidden) tracesStale = true;
    else loadTraces();
  });
}

function wireForms() {
  let typing = 0;
  $('events-q').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      events.text = $('events-q').value.trim();
      loadEvents().catch(fail);
    }, 250);
  });
  $('events-kinds').addEventListener('change', () => {
    events.kinds = new Set([...document.querySelectorAll('#events-kinds input:checked')].map((i) => i.value));
    loadEvents().catch(fail);
  });
  $('events-filter').addEventListener('submit', (e) => e.preventDefault());
  $('events-older').addEventListener('click', () => loadOlder().catch(fail));
  const list = $('events-list');
  list.addEventListener('scroll', () => {
    events.follow = list.scrollTop + list.clientHeight >= list.scrollHeight - 2 * ROW;
    scheduleList();
  });
  $('traces-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    $('trace-detail').hidden = true;
    if (location.hash !== '#traces') location.hash = '#traces';
    else loadTraces();
  });
}

async function start() {
  wireForms();
  const [view, kind, id] = location.hash.slice(1).split('/');
  if (view === 'events' && kind === 'trace') setTraceFilter(decodeURIComponent(id || ''));
  const history = Promise.all([loadEvents(), loadRuns()]);
  route(); // what the address names loads meanwhile (the traces)
  window.addEventListener('hashchange', route);
  try {
    lastSeq = Math.min(...(await history));
  } catch (e) {
    setStatus(`cannot read the local cloud's history: ${e.message}`);
    return;
  }
  connect();
  // The first paint with data: the benchmark and the browser test wait for it.
  requestAnimationFrame(() => {
    performance.mark('console-ready');
    document.body.dataset.ready = 'true';
  });
}

start();
