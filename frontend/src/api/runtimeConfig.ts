// Deploy-time settings read from `config.json` beside index.html, so that one build can be
// promoted from one environment to the next by changing that file alone. The build ships an
// empty `public/config.json` (`{}`): the file always exists, and a missing one is only a
// misconfigured host, never a console error on every page load.

export interface RuntimeConfig {
  /** The API's base URL, e.g. `https://api.example.com/prod/api`; `/api` when not set. */
  apiBaseUrl?: string;
}

/** Long enough for a slow static host; short enough that a hung one cannot keep the page blank. */
const CONFIG_TIMEOUT_MS = 5_000;

export const RUNTIME_CONFIG_URL = `${import.meta.env.BASE_URL}config.json`;

/**
 * Loads `config.json` once, before the app renders. Never rejects: a missing file means the
 * defaults; an unreadable or malformed one means a console warning and the defaults.
 */
export async function loadRuntimeConfig(url: string = RUNTIME_CONFIG_URL): Promise<RuntimeConfig> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CONFIG_TIMEOUT_MS);
  try {
    const response = await fetch(url, { cache: 'no-store', signal: controller.signal });
    if (response.status === 404) return {};
    if (!response.ok) {
      console.warn(`${url}: HTTP ${response.status}; using the built-in settings`);
      return {};
    }
    return parseRuntimeConfig(await response.text(), url);
  } catch (error) {
    console.warn(`${url} could not be loaded (${String(error)}); using the built-in settings`);
    return {};
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the settings it knows and can use; warns about anything else. */
export function parseRuntimeConfig(text: string, source = 'config.json'): RuntimeConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    console.warn(`${source} is not valid JSON; using the built-in settings`);
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    console.warn(`${source} must hold a JSON object; using the built-in settings`);
    return {};
  }
  const config: RuntimeConfig = {};
  const { apiBaseUrl } = value as Record<string, unknown>;
  if (apiBaseUrl !== undefined) {
    if (typeof apiBaseUrl === 'string' && apiBaseUrl.trim() && isUsableBaseUrl(apiBaseUrl.trim())) {
      config.apiBaseUrl = apiBaseUrl.trim();
    } else {
      console.warn(`${source}: apiBaseUrl must be an http(s) URL or a path such as /api; ignored`);
    }
  }
  return config;
}

function isUsableBaseUrl(url: string): boolean {
  if (url.startsWith('/')) return !url.startsWith('//');
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
