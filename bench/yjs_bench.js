// Workloads B and C of bench/compare_bench.cc with Yjs (Debian's node-yjs),
// the baseline issue figures compare Hamlet's merge with. Run by
// `bench/run.sh yjs [--runs N]`; prints the same table as compare_bench.
//
// The records are what compare_bench writes: eight text fields of 40 to 200
// bytes of the same ASCII words, from a seeded generator (its own: the
// figures compare sizes and counts, not identical bytes). A record is a
// Y.Map inside the document's "records" map; each create and each update is
// a transaction of its own, as each is a commit in Hamlet. Yjs keeps its
// documents in memory and seals nothing, signs nothing and checks no right.
//
// B: replica 0 creates 500 shared records, all three sync; each then,
// offline, creates 5,000 records and makes 6,000 single-field updates
// (5,000 to its own records, 1,000 to shared ones). Timed: every replica's
// state vector, the 6 updates each lacks (from the pre-merge states), then
// all applied. Bytes are state vectors and updates. C: replica 0 then makes
// 100 single-field updates and replica 1 pulls them.
'use strict';

const Y = require('yjs');

const kFields = ['title', 'body', 'hamlet', 'category', 'status', 'reporter', 'assigned_to', 'resolution'];
const kWords = ['dat', 'dai', 'duong', 'giao', 'thong', 'nuoc', 'sach', 'dien', 'chieu', 'sang', 'truong', 'hoc',
  'tram', 'te', 'ho', 'ngheo', 'chinh', 'sach', 'bao', 'hiem', 'moi', 'rac', 'thai', 'an', 'ninh', 'trat', 'tu', 'cau',
  'cong', 'muong', 'thuy', 'loi', 'lua', 'ngo', 'chan', 'nuoi', 'giong', 'von', 'vay', 'ngan', 'hang', 'xay', 'dung',
  'nha', 'van', 'hoa', 'thon', 'ban', 'xa', 'huyen'];

// mulberry32: a small seeded generator, enough for picking words and records.
function Rng(seed) {
  let a = seed >>> 0;
  return function next(n) {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

function AsciiText(rng) {
  const target = 40 + rng(161);
  let s = '';
  while (s.length < target) {
    if (s.length) s += ' ';
    s += kWords[rng(kWords.length)];
  }
  s = s.slice(0, target);
  if (s.endsWith(' ')) s = s.slice(0, -1) + 'a';
  return s;
}

function RecordId(rng) {
  let id = '';
  for (let i = 0; i < 4; i++) id += (rng(0x10000) * 0x10000 + rng(0x10000)).toString(16).padStart(8, '0');
  return id;
}

function Create(doc, rng) {
  const id = RecordId(rng);
  doc.transact(() => {
    const m = new Y.Map();
    for (const f of kFields) m.set(f, AsciiText(rng));
    doc.getMap('records').set(id, m);
  });
  return id;
}

function Update(doc, id, rng) {
  doc.transact(() => doc.getMap('records').get(id).set(kFields[rng(8)], AsciiText(rng)));
}

function Sync(from, to) {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

function Seconds(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

// The records as text with every map's keys in order: two documents that
// merged the same updates in another order list their keys in another order.
function Canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + Canonical(value[k])).join(',') + '}';
}

function Same(a, b) {
  return Canonical(a.getMap('records').toJSON()) === Canonical(b.getMap('records').toJSON());
}

function RunBC(run) {
  const rng = Rng(1000 + run);
  const docs = [0, 1, 2].map((i) => {
    const d = new Y.Doc();
    d.clientID = 10 + i + 3 * run;
    return d;
  });
  const own = [[], [], []];
  const shared = [];
  for (let i = 0; i < 500; i++) shared.push(Create(docs[0], rng));
  Sync(docs[0], docs[1]);
  Sync(docs[0], docs[2]);
  for (let p = 0; p < 3; p++) {
    for (let i = 0; i < 5000; i++) own[p].push(Create(docs[p], rng));
    for (let i = 0; i < 5000; i++) Update(docs[p], own[p][rng(own[p].length)], rng);
    for (let i = 0; i < 1000; i++) Update(docs[p], shared[rng(shared.length)], rng);
  }
  let bytes = 0;
  const deltas = [];
  const exportS = Seconds(() => {
    const vectors = docs.map((d) => Y.encodeStateVector(d));
    for (const v of vectors) bytes += v.length;
    for (let from = 0; from < 3; from++) {
      for (let to = 0; to < 3; to++) {
        if (from === to) continue;
        const u = Y.encodeStateAsUpdate(docs[from], vectors[to]);
        bytes += u.length;
        deltas.push([to, u]);
      }
    }
  });
  const importS = Seconds(() => {
    for (const [to, u] of deltas) Y.applyUpdate(docs[to], u);
  });
  let converged = Same(docs[0], docs[1]) && Same(docs[1], docs[2]);

  for (let i = 0; i < 100; i++) {
    const pool = i % 2 ? shared : own[0];
    Update(docs[0], pool[rng(pool.length)], rng);
  }
  let cBytes = 0;
  const cS = Seconds(() => {
    const v = Y.encodeStateVector(docs[1]);
    const u = Y.encodeStateAsUpdate(docs[0], v);
    cBytes = v.length + u.length;
    Y.applyUpdate(docs[1], u);
  });
  converged = converged && Same(docs[0], docs[1]);
  return { exportS, importS, mergeS: exportS + importS, mb: bytes / 1e6, cMs: cS * 1000, cKb: cBytes / 1e3, converged };
}

function Median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let runs = 3;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--runs' && i + 1 < process.argv.length) runs = Math.max(1, parseInt(process.argv[++i], 10));
  else {
    console.error('usage: yjs_bench.js [--runs N]');
    process.exit(2);
  }
}
const version = require('yjs/package.json').version;
console.log(`\n## B and C with Yjs ${version} (node ${process.version}), in memory\n`);
console.log('| run | B export s | B import s | B merge s | B MB | C ms | C KB | all documents equal |');
console.log('|---|--:|--:|--:|--:|--:|--:|---|');
const results = [];
for (let run = 0; run < runs; run++) {
  const r = RunBC(run);
  results.push(r);
  console.log(`| ${run + 1} | ${r.exportS.toFixed(2)} | ${r.importS.toFixed(2)} | ${r.mergeS.toFixed(2)} | ` +
              `${r.mb.toFixed(1)} | ${r.cMs.toFixed(1)} | ${r.cKb.toFixed(1)} | ${r.converged ? 'yes' : 'NO'} |`);
}
console.log(`| **median** | | | ${Median(results.map((r) => r.mergeS)).toFixed(2)} | ` +
            `${Median(results.map((r) => r.mb)).toFixed(1)} | ${Median(results.map((r) => r.cMs)).toFixed(1)} | ` +
            `${Median(results.map((r) => r.cKb)).toFixed(1)} | ${results.every((r) => r.converged) ? 'yes' : 'NO'} |`);
if (!results.every((r) => r.converged)) process.exit(1);
