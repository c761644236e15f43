/** A Cedar policy create's fields under the names the files use (the body holds the API's snake_case names). */
const NAMES: Record<string, string> = {
  description: "description",
  enabled: "enabled",
  priority: "priority",
  max_duration_seconds: "maxDurationSeconds",
  default_duration_seconds: "defaultDurationSeconds",
  notification_channel: "notificationChannel",
};

export function cedarPolicyFields(body: object): [string, unknown][] {
  return Object.entries(body)
    .filter(([k]) => k !== "name")
    .map(([k, v]): [string, unknown] => [NAMES[k] ?? k, v]);
}
