// wrk's Lua scripts: one per request shape. Ids are drawn at random from a pool per request and
// write bodies are fresh per request (~200 bytes, like the seeded records), so no cache or
// conditional request is hit by accident. `done` prints one RESULT line the runner parses.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const lua = (s) => JSON.stringify(String(s)); // a JSON string is a valid Lua string literal here

const PRELUDE = `
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local genres = { "fiction", "science", "history" }
local n = 0
local function body()
  n = n + 1
  return string.format(
    '{"title":"The Quiet Archive of the Old City, part %d","author":"Author %d","year":%d,"genre":"%s","price":%d.5,"inStock":true,"isbn":"978-0-%06d"}',
    n, math.random(97), 1900 + math.random(120), genres[math.random(3)], math.random(50), math.random(999999))
end
local function patch()
  return string.format('{"price":%d.25}', math.random(90))
end
local json = { ["Content-Type"] = "application/json" }
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** The request line of each shape (Lua expressions over `ids`, `path`). */
const REQUESTS = {
  get: 'wrk.format("GET", prefix .. "/" .. ids[math.random(#ids)])',
  post: 'wrk.format("POST", prefix, json, body())',
  put: 'wrk.format("PUT", prefix .. "/" .. ids[math.random(#ids)], json, body())',
  patch: 'wrk.format("PATCH", prefix .. "/" .. ids[math.random(#ids)], json, patch())',
  path: 'wrk.format("GET", path)',
};

/**
 * Writes the script for `shape` into `dir`; returns its path. `prefix` is the collection route
 * (`/api/items`), `ids` the pool, `path` the fixed URL of the `path` shape, and `mix` (for `mixed`)
 * a list of [shape, weight, path?] entries.
 */
export function writeScript(dir, name, { shape, prefix = '/api/items', ids = [], path: fixed = '', mix }) {
  const file = path.join(dir, `${name}.lua`);
  let request;
  if (shape === 'mixed') {
    const total = mix.reduce((n, [, w]) => n + w, 0);
    let acc = 0;
    const branches = mix.map(([s, w, p]) => {
      acc += w;
      const expr = s === 'path' ? `wrk.format("GET", ${lua(p)})` : REQUESTS[s];
      return `  if r <= ${acc} then return ${expr} end`;
    });
    request = `  local r = math.random(${total})\n${branches.join('\n')}`;
  } else {
    request = `  return ${REQUESTS[shape]}`;
  }
  const text = `${PRELUDE}
local prefix = ${lua(prefix)}
local path = ${lua(fixed)}
local ids = { ${ids.map(lua).join(',')} }
request = function()
${request}
end
`;
  writeFileSync(file, text);
  return file;
}
