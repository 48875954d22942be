/** An alert's identity: its name and labels (alertname itself left out of the labels). */
export interface AlertIdentity {
  name: string;
  labels: Record<string, string>;
}

export function alertIdentity(labels: Record<string, string>): AlertIdentity {
  const { alertname, ...rest } = labels;
  return { name: alertname ?? "(unnamed)", labels: rest };
}

export function alertKey(a: AlertIdentity): string {
  const labels = Object.keys(a.labels)
    .sort()
    .map((k) => `${k}=${a.labels[k]}`)
    .join(",");
  return `${a.name}{${labels}}`;
}

/** What a drill names: an alert and the labels it must carry (e.g. node=node1); others may differ. */
export interface AlertMatcher {
  name: string;
  labels?: Record<string, string>;
}

export function matches(m: AlertMatcher, a: AlertIdentity): boolean {
  if (m.name !== a.name) return false;
  return Object.entries(m.labels ?? {}).every(([k, v]) => a.labels[k] === v);
}

export function describeMatcher(m: AlertMatcher): string {
  const labels = Object.entries(m.labels ?? {})
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ");
  return labels ? `${m.name}{${labels}}` : m.name;
}
