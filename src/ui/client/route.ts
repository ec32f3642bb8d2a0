import { useEffect, useState } from 'preact/hooks';

/**
 * The page's state lives in the URL's hash (`#runs?q=…&sel=a,b`): a link or a reload shows the
 * same view and selection. The token stays in the query string, which the hash never touches.
 */
export interface Route {
  view: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const i = text.indexOf('?');
  const view = (i < 0 ? text : text.slice(0, i)) || 'runs';
  return { view, params: new URLSearchParams(i < 0 ? '' : text.slice(i + 1)) };
}

export function hrefOf(view: string, params: Record<string, string | undefined> | URLSearchParams = {}): string {
  const p = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v);
  const q = p.toString();
  return `#${view}${q ? `?${q}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Changes some parameters of the current view, replacing the history entry (typing in a box). */
export function setParams(changes: Record<string, string | undefined>, push = false): void {
  const { view, params } = parseHash(location.hash);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') params.delete(k);
    else params.set(k, v);
  }
  const href = hrefOf(view, params);
  if (push) location.hash = href;
  else {
    history.replaceState(null, '', href);
    dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

export const selectionOf = (params: URLSearchParams): string[] => (params.get('sel') ?? '').split(',').filter(Boolean);
