import { runLocalJob } from '/work/wt/connectors/connectors/run-local.ts';
const dir = process.argv[2]!;
const t = performance.now();
const r = await runLocalJob({ jobDir: dir, now: () => new Date(Date.UTC(2026,0,1,0,0,Math.floor(Math.random()*59))) });
console.log(r.stats.users, (performance.now()-t)/1000);
