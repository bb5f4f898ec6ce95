// How client ids and company keys are made: cs_<unix seconds>_<slug of the company name>.

// Letters that Unicode does not decompose into a base letter plus accents.
const FOLD: Record<string, string> = { ø: "o", Ø: "o", ß: "ss", æ: "ae", Æ: "ae", œ: "oe", Œ: "oe", ł: "l", Ł: "l", đ: "d", Đ: "d", þ: "th", Þ: "th", ð: "d", Ð: "d" };

export function slugify(name: string): string {
  const slug = name
    .replace(/[øØßæÆœŒłŁđĐþÞðÐ]/g, (c) => FOLD[c] ?? c)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40)
    .replace(/_+$/g, "");
  return slug || "client";
}

/** The duplicate-check key of a company name: case and spacing do not make a new company. */
export function companyKey(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** The first free id for this company at this second: the base id, then _2, _3, … */
export function pickClientId(companyName: string, now: Date, taken: readonly string[]): string {
  const base = `cs_${Math.floor(now.getTime() / 1000)}_${slugify(companyName)}`;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}
