/** How a fresh plan differs from the reviewed one, as text lines (`apply --plan` refusing a stale plan). */
import type { ReviewDifference } from "../flow/review.js";
import type { Palette } from "./colour.js";
import { changeHeadline } from "./plan-text.js";

export function renderReviewDifferences(diffs: readonly ReviewDifference[], p: Palette): string {
  const words = { added: p.green("+ new since the review:"), removed: p.red("- reviewed, no longer planned:"), changed: p.yellow("~ changed since the review:") };
  return diffs.map((d) => `  ${words[d.how]} ${d.change ? changeHeadline(d.change) : d.id}`).join("\n");
}
