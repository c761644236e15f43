/** A Cedar policy create's fields to show, in body order: the name is the headline's, so it is left out. */
export function cedarPolicyFields(body: object): [string, unknown][] {
  return Object.entries(body).filter(([k]) => k !== "name");
}
