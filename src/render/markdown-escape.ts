/**
 * Escaping of user-supplied text in the Markdown that GitHub renders (SPEC section 4, "Escaping is minimal").
 * What a user writes must not open HTML, a link, an image, a mention or a table cell, nor close the renderer's own
 * `<details>` and `<code>`; everything else stays as written, so that names, permissions and Cedar are readable
 * and searchable in the raw comment (`billing:read` stays `billing:read`, `User::"alice"` stays itself).
 *
 * Escaped, as HTML entities (they work both in Markdown text and inside the renderer's HTML blocks):
 * - `&`, `<`, `>`: HTML tags, comments and autolinks (`<https://…>`);
 * - `[`: link, image and footnote openers (`]`, `(` and `!` do nothing without it);
 * - `@`: mentions and e-mail autolinks; `#`: issue references and headings; `|`: table cells;
 * - `` ` ``: code spans, which could swallow the renderer's closing tags; `\`: it could escape them;
 * - `*`, `~`, `$`: emphasis, strikethrough and math spans across the renderer's tags;
 * - `_` only at a word's edge (inside a word, `duration_seconds`, it cannot emphasise);
 * - `:` only in `://` and `.` only in `www.`: bare URLs that GitHub would link;
 * - a leading `-`, `+` or `=`, which could start a list or underline a heading.
 * Line breaks become spaces: a blank line would end the renderer's HTML block.
 */

const ENTITY: Record<string, string> = {
  "&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "|": "&#124;", "`": "&#96;", "*": "&#42;", _: "&#95;", "[": "&#91;",
  "#": "&#35;", "~": "&#126;", "\\": "&#92;", "$": "&#36;", ":": "&#58;", ".": "&#46;", "-": "&#45;", "+": "&#43;", "=": "&#61;",
};

const INLINE = /[&<>@|`*[#~\\$]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|:(?=\/\/)|(?<=www)\.|^[-+=]/giu;

/** Escapes user text for Markdown and HTML alike, on one line. */
export function escapeMarkdown(s: string): string {
  return s.replace(/\r\n?|\n/g, " ").replace(INLINE, (c) => ENTITY[c]!);
}

/** Escapes user text for a `<pre>` block that starts its own line (an HTML block: no Markdown inside). Newlines kept. */
export function escapePre(s: string): string {
  return s.replace(/[&<>@`]/g, (c) => ENTITY[c]!);
}

/** User text as inline code: GitHub neither mentions nor links inside `<code>`. */
export function code(s: string): string {
  return `<code>${escapeMarkdown(s)}</code>`;
}
