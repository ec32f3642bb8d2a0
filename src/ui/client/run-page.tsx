import { useEffect, useState } from 'preact/hooks';
import { artifactUrl, getJson, postJson } from './api.js';
import { cellText, durationText, timeText } from './format.js';
import { Curves } from './curves.js';

interface RunPageData {
  key: string;
  status: string;
  reason: string | null;
  info: Record<string, unknown> & {
    id: string | null;
    tags: string[];
    notes: string[];
    start: string | null;
    duration_s: number | null;
    error: { message: string | null } | null;
  };
  overrides: string[] | null;
  choices: Record<string, unknown> | null;
  seeds: Record<string, unknown> | null;
  env: Record<string, unknown> | null;
  git: Record<string, unknown> | null;
  gitDiff: string | null;
  inputs: Array<{ path: string; size?: number; sha256?: string }> | null;
  config: Array<{ key: string; value: unknown; composed?: unknown; origin: string | null }>;
  files: Array<{ path: string; size: number }>;
  log: { file: string; text: string; size: number } | null;
  rerun: string;
  problems: string[];
}

function Section(props: { title: string; children: unknown; open?: boolean }) {
  return (
    <details class="section" open={props.open ?? true}>
      <summary>{props.title}</summary>
      {props.children as never}
    </details>
  );
}

function KeyValues(props: { value: Record<string, unknown> | null }) {
  if (!props.value) return <p class="muted">not recorded</p>;
  return (
    <table class="kv">
      {Object.entries(props.value).map(([k, v]) => (
        <tr>
          <th>{k}</th>
          <td>{cellText(v)}</td>
        </tr>
      ))}
    </table>
  );
}

/** Tag and note through the store API (the same as `trellis runs tag|note`). */
function Annotate(props: { run: string; tags: string[]; notes: string[]; onChange: () => void }) {
  const [tag, setTag] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const act = (p: Promise<unknown>) => p.then(props.onChange, (e: Error) => setError(e.message));
  return (
    <div class="annotate">
      <div>
        tags:{' '}
        {props.tags.map((t) => (
          <span class="tag">
            {t}{' '}
            <button aria-label={`remove tag ${t}`} onClick={() => act(postJson('/api/tag', { run: props.run, tags: [t], remove: true }))}>
              ×
            </button>
          </span>
        ))}
        <input id="tag-input" value={tag} placeholder="add a tag" onInput={(e) => setTag((e.target as HTMLInputElement).value)} />
        <button id="tag-add" onClick={() => act(postJson('/api/tag', { run: props.run, tags: [tag] }).then(() => setTag('')))}>
          tag
        </button>
      </div>
      <ul class="notes">
        {props.notes.map((n) => (
          <li>{n}</li>
        ))}
      </ul>
      <input id="note-input" value={note} placeholder="add a note" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      <button id="note-add" onClick={() => act(postJson('/api/note', { run: props.run, text: note }).then(() => setNote('')))}>
        note
      </button>
      {error && <div class="problem">{error}</div>}
    </div>
  );
}

/** One run: its records, config with origins, files, log tail (live while running) and curves. */
export function RunPage(props: { run: string; params: URLSearchParams }) {
  const [data, setData] = useState<RunPageData | null>(null);
  const [error, setError] = useState('');
  const [version, setVersion] = useState(0);
  useEffect(() => {
    getJson<RunPageData>('/api/run', { run: props.run }).then(setData, (e: Error) => setError(e.message));
  }, [props.run, version]);
  const running = data?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setVersion((v) => v + 1), 2000);
    return () => clearInterval(timer);
  }, [running]);
  if (error) return <div class="problem">{error}</div>;
  if (!data) return <p class="muted">loading…</p>;
  const info = data.info;
  return (
    <article class="run-page" data-run={data.key}>
      <h2>
        {data.key} <span class={`status ${data.status}`}>{data.status}</span>
      </h2>
      <p>
        id {info.id ?? '-'} · started {timeText(info.start)} · {durationText(info.duration_s)}
        {data.reason && <span class="muted"> · {data.reason}</span>}
      </p>
      {info.error?.message && <pre class="error">{info.error.message}</pre>}
      <div class="rerun">
        <code id="rerun-command">{data.rerun}</code> <button onClick={() => void navigator.clipboard?.writeText(data.rerun)}>copy</button>
      </div>
      <Annotate run={data.key} tags={info.tags} notes={info.notes} onChange={() => setVersion((v) => v + 1)} />
      <Curves runs={[data.key]} params={props.params} />
      <Section title="config">
        <table class="config">
          <tr>
            <th>key</th>
            <th>value</th>
            <th>composed</th>
            <th>from</th>
          </tr>
          {data.config.map((c) => (
            <tr>
              <td>{c.key}</td>
              <td>{cellText(c.value)}</td>
              <td class="muted">{c.composed === undefined ? '' : cellText(c.composed)}</td>
              <td class="origin">{c.origin ?? ''}</td>
            </tr>
          ))}
        </table>
      </Section>
      <Section title="overrides and choices">
        <p>
          <code>{(data.overrides ?? []).join(' ') || '(none)'}</code>
        </p>
        <KeyValues value={data.choices} />
      </Section>
      <Section title="seeds">
        <KeyValues value={data.seeds} />
      </Section>
      <Section title="git">
        <KeyValues value={data.git} />
        {data.gitDiff && <pre class="diff">{data.gitDiff}</pre>}
      </Section>
      <Section title="inputs">
        {(data.inputs ?? []).map((i) => (
          <div>
            {i.path} {i.size ?? ''} <span class="muted">{i.sha256 ?? ''}</span>
          </div>
        ))}
      </Section>
      <Section title="files">
        <ul class="files">
          {data.files.map((f) => (
            <li>
              <a href={artifactUrl(data.key, f.path)} download>
                {f.path}
              </a>{' '}
              <span class="muted">{f.size} B</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section title={`log${data.log ? ` (${data.log.file})` : ''}`}>
        <pre id="log" class="log">
          {data.log?.text ?? '(no log)'}
        </pre>
      </Section>
      <Section title="environment" open={false}>
        <pre>{JSON.stringify(data.env, null, 2)}</pre>
      </Section>
      {data.problems.length > 0 && <p class="muted">records: {data.problems.join('; ')}</p>}
    </article>
  );
}
