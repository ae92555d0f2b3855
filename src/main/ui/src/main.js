import dagre from '@dagrejs/dagre';
import './style.css';

const app = document.getElementById('app');
const live = document.getElementById('live');
const workflows = new Map(); // "namespace/name" -> the view the operator sends
let config = { actions: false };
let selectedStep = null;
let logAbort = null;

const key = (w) => `${w.metadata.namespace}/${w.metadata.name}`;
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c ?? '');
  return e;
};
const svg = (tag, attrs = {}) => {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
};
const phaseBadge = (phase) => el('span', { class: `phase ${phase ?? 'Pending'}` }, phase ?? 'Pending');

function age(timestamp) {
  if (!timestamp) return '';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(timestamp)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function route() {
  const [, page, namespace, name] = location.hash.split('/');
  if (page === 'workflows' && namespace && name) {
    return { page: 'workflow', namespace: decodeURIComponent(namespace), name: decodeURIComponent(name) };
  }
  return { page: 'list', namespace: new URLSearchParams(location.hash.split('?')[1] ?? '').get('namespace') ?? '' };
}

function render() {
  const r = route();
  if (r.page === 'workflow') renderWorkflow(r.namespace, r.name);
  else renderList(r.namespace);
}

function renderList(namespace) {
  const filter = el('input', { id: 'namespace', placeholder: 'all namespaces', value: namespace });
  filter.addEventListener('change', () => {
    location.hash = filter.value ? `#/?namespace=${encodeURIComponent(filter.value)}` : '#/';
  });
  const rows = [...workflows.values()]
    .filter((w) => !namespace || w.metadata.namespace === namespace)
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''))
    .map((w) =>
      el('tr', { class: 'workflow', 'data-name': w.metadata.name, 'data-phase': w.status?.phase ?? 'Pending' },
        el('td', {}, w.metadata.namespace),
        el('td', {}, el('a', { href: `#/workflows/${encodeURIComponent(w.metadata.namespace)}/${encodeURIComponent(w.metadata.name)}` }, w.metadata.name)),
        el('td', {}, phaseBadge(w.status?.phase)),
        el('td', {}, w.status?.progress ?? ''),
        el('td', {}, age(w.metadata.creationTimestamp))));
  const body = document.querySelector('#workflows tbody');
  if (body && document.getElementById('namespace')?.dataset.namespace === namespace) {
    // Only the rows: the filter keeps what is being typed into it.
    body.replaceChildren(...rows);
    document.getElementById('empty').textContent = rows.length ? '' : 'No workflows.';
    return;
  }
  filter.dataset.namespace = namespace;
  app.replaceChildren(
    el('div', { class: 'filters' }, el('label', { for: 'namespace' }, 'Namespace'), filter),
    el('table', { id: 'workflows' },
      el('thead', {}, el('tr', {}, ...['Namespace', 'Name', 'Phase', 'Progress', 'Age'].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows)),
    el('p', { id: 'empty' }, rows.length ? '' : 'No workflows.'));
}

/** The steps to draw: a loop is one node with its counts; finally steps are drawn apart. */
function nodesOf(w) {
  const status = new Map((w.status?.steps ?? []).map((s) => [s.name, s]));
  const node = (step, isFinally) => {
    const st = status.get(step.name) ?? {};
    const loop = st.loop;
    let label = step.name;
    if (loop) label += ` ×${loop.total ?? '?'} (${loop.succeeded ?? 0}✓ ${loop.failed ?? 0}✗)`;
    else if ((st.attempts ?? 0) > 1) label += ` #${st.attempts}`;
    return { step, isFinally, status: st, phase: st.phase ?? 'Pending', label };
  };
  return [
    ...(w.spec?.steps ?? []).map((s) => node(s, false)),
    ...(w.spec?.finally ?? []).map((s) => node(s, true)),
  ];
}

function layout(nodes) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 50, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.step.name, { width: Math.max(90, n.label.length * 7.2 + 20), height: 34, n });
  for (const n of nodes) for (const d of n.step.depends ?? []) if (g.hasNode(d)) g.setEdge(d, n.step.name);
  dagre.layout(g);
  return g;
}

function drawGraph(w) {
  const nodes = nodesOf(w);
  const main = layout(nodes.filter((n) => !n.isFinally));
  const fin = layout(nodes.filter((n) => n.isFinally));
  const mainHeight = main.graph().height ?? 0;
  const finOffset = mainHeight + 24;
  const width = Math.max(main.graph().width ?? 0, (fin.graph().width ?? 0) + 20, 200);
  const height = finOffset + (fin.nodeCount() ? (fin.graph().height ?? 0) + 24 : 0);
  const root = svg('svg', { width, height, id: 'dag' });
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8892a0' }));
  const defs = svg('defs');
  defs.append(marker);
  root.append(defs);
  const drawOne = (g, dy, group) => {
    for (const e of g.edges()) {
      const pts = g.edge(e).points;
      root.append(svg('path', { class: 'edge', d: 'M' + pts.map((p) => `${p.x},${p.y + dy}`).join(' L'), 'marker-end': 'url(#arrow)' }));
    }
    for (const name of g.nodes()) {
      const { x, y, width: nw, height: nh, n } = g.node(name);
      const node = svg('g', { class: `node${selectedStep === name ? ' selected' : ''}`, 'data-step': name, 'data-phase': n.phase, 'data-group': group, transform: `translate(${x - nw / 2},${y - nh / 2 + dy})` });
      node.append(svg('rect', { width: nw, height: nh, rx: 6 }));
      const text = svg('text', { x: 10, y: nh / 2 + 4 });
      text.textContent = n.label;
      node.append(text);
      node.addEventListener('click', () => {
        selectedStep = name;
        renderWorkflow(w.metadata.namespace, w.metadata.name);
      });
      root.append(node);
    }
  };
  drawOne(main, 0, 'main');
  if (fin.nodeCount()) {
    root.append(svg('rect', { class: 'finally-box', x: 4, y: finOffset - 8, width: width - 8, height: (fin.graph().height ?? 0) + 20, rx: 8 }));
    const label = svg('text', { class: 'finally-label', x: 12, y: finOffset + 6 });
    label.textContent = 'finally';
    root.append(label);
    drawOne(fin, finOffset + 8, 'finally');
  }
  return root;
}

function api(path) {
  return `api/${path}`;
}

function actionButtons(w) {
  if (!config.actions) return el('p', { class: 'readonly' }, 'Read-only: actions are turned off.');
  const phase = w.status?.phase;
  const final = ['Succeeded', 'Failed', 'Cancelled'].includes(phase);
  const button = (action, label, enabled) =>
    el('button', {
      id: `action-${action}`,
      ...(enabled ? {} : { disabled: '' }),
      onclick: async () => {
        const res = await fetch(api(`workflows/${w.metadata.namespace}/${w.metadata.name}/${action}`), { method: 'POST', headers: { 'X-Shepherd-Action': action } });
        if (!res.ok) alert(`${label}: ${await res.text()}`);
      },
    }, label);
  return el('div', { class: 'actions' },
    button('cancel', 'Cancel', !final && !w.spec?.cancel),
    w.spec?.suspend ? button('resume', 'Resume', !final) : button('suspend', 'Suspend', !final),
    button('retry', 'Retry', phase === 'Failed' || phase === 'Cancelled'));
}

function stepPanel(w) {
  const node = nodesOf(w).find((n) => n.step.name === selectedStep);
  if (!node) return el('div', { class: 'panel' }, el('p', {}, 'Click a step to see its details and log.'));
  const st = node.status;
  const runs = st.loop?.instances?.length ? st.loop.instances : [st];
  const rows = [
    ['Phase', phaseBadge(node.phase)],
    ['Exit code', st.exitCode ?? ''],
    ['Reason', st.reason ?? ''],
    ['Message', st.message ?? ''],
    ['Attempts', st.attempts ?? 0],
    ['Started', st.startedAt ?? ''],
    ['Finished', st.finishedAt ?? ''],
  ];
  for (const [k, v] of Object.entries(st.outputs ?? {})) rows.push([`output ${k}`, v]);
  const dl = el('dl', { id: 'step-details' }, ...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-field': k }, v)]));
  const pickers = runs.length > 1
    ? el('select', { id: 'instance', onchange: (e) => streamLog(w, e.target.value) }, ...runs.map((r) => el('option', { value: r.name }, `${r.name} (${r.phase ?? 'Pending'})`)))
    : '';
  // In pod mode each attempt has its Pod, and so its own log; the last one is shown first.
  const attempts = st.attempts ?? 0;
  const attemptPicker = runs.length === 1 && attempts > 1 && w.spec?.executor !== 'supervisor'
    ? el('select', { id: 'attempt', onchange: (e) => streamLog(w, runs[0].name ?? node.step.name, e.target.value) },
      ...Array.from({ length: attempts }, (_, i) => attempts - i).map((a) => el('option', { value: a }, `attempt ${a}`)))
    : '';
  const panel = el('div', { class: 'panel' }, el('h3', {}, node.step.name), dl, pickers, attemptPicker, el('h4', {}, 'Log'), el('pre', { class: 'log', id: 'log' }));
  queueMicrotask(() => streamLog(w, runs[0].name ?? node.step.name));
  return panel;
}

async function streamLog(w, run, attempt) {
  logAbort?.abort();
  const abort = new AbortController();
  logAbort = abort;
  const pre = document.getElementById('log');
  if (!pre) return;
  pre.textContent = '';
  try {
    const query = attempt ? `?attempt=${attempt}` : '';
    const res = await fetch(api(`workflows/${w.metadata.namespace}/${w.metadata.name}/steps/${encodeURIComponent(run)}/log${query}`), { signal: abort.signal });
    if (!res.ok) {
      pre.textContent = await res.text();
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pre.textContent += decoder.decode(value, { stream: true });
      pre.scrollTop = pre.scrollHeight;
    }
  } catch (e) {
    if (e.name !== 'AbortError') pre.textContent += `\n(${e.message})`;
  }
}

let shownStep = null;
let shownStepPhase = null;
function renderWorkflow(namespace, name) {
  const w = workflows.get(`${namespace}/${name}`);
  if (!w) {
    app.replaceChildren(el('p', {}, `No workflow ${namespace}/${name} (yet).`));
    return;
  }
  const graph = document.getElementById('graph');
  const current = nodesOf(w).find((n) => n.step.name === selectedStep);
  // Keep the streamed log and its panel while the selected step has not changed phase.
  if (graph && shownStep === selectedStep && current?.phase === shownStepPhase && document.getElementById('wf-title')?.dataset.key === key(w)) {
    graph.replaceChildren(drawGraph(w));
    document.getElementById('wf-phase').replaceChildren(phaseBadge(w.status?.phase), ' ', w.status?.progress ?? '');
    document.getElementById('wf-actions').replaceChildren(actionButtons(w));
    document.getElementById('wf-message').textContent = w.status?.message ?? '';
    return;
  }
  shownStep = selectedStep;
  shownStepPhase = current?.phase;
  app.replaceChildren(
    el('h2', { id: 'wf-title', 'data-key': key(w) }, `${namespace} / ${name}`),
    el('div', { id: 'wf-phase' }, phaseBadge(w.status?.phase), ' ', w.status?.progress ?? ''),
    el('p', { class: 'message', id: 'wf-message' }, w.status?.message ?? ''),
    el('div', { id: 'wf-actions' }, actionButtons(w)),
    el('div', { class: 'layout' }, el('div', { class: 'graph', id: 'graph' }, drawGraph(w)), stepPanel(w)));
}

function connect() {
  const events = new EventSource(api('events'));
  events.addEventListener('open', () => { live.textContent = 'live'; live.classList.add('on'); });
  events.addEventListener('error', () => { live.textContent = 'reconnecting'; live.classList.remove('on'); });
  // The first events after (re)connecting are every workflow the operator holds.
  events.addEventListener('reset', () => workflows.clear());
  events.addEventListener('workflow', (e) => {
    const w = JSON.parse(e.data);
    workflows.set(key(w), w);
    render();
  });
  events.addEventListener('deleted', (e) => {
    const w = JSON.parse(e.data);
    workflows.delete(key(w));
    render();
  });
}

window.addEventListener('hashchange', () => {
  selectedStep = null;
  shownStep = null;
  logAbort?.abort();
  render();
});

fetch(api('config'))
  .then((r) => r.json())
  .then((c) => { config = c; })
  .finally(() => { render(); connect(); });
