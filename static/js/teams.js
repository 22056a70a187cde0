// Teams as every screen names and colours them. The palette is the server's
// (app/web/templating.py TEAM_COLOURS), written once into each page that draws teams as
// <meta name="team-colours" content="#0072b2 #e69f00 ...">, so a team keeps its colour on
// the phone, the projector, the monitor and the report; and its marker shape likewise.

const FALLBACK = ['#0072b2'];

function listed(name, fallback, doc = globalThis.document) {
  const meta = doc?.querySelector?.(`meta[name="${name}"]`);
  const values = meta ? meta.content.split(/\s+/).filter(Boolean) : [];
  return values.length ? values : fallback;
}

// The palette of this page (or of `doc`, for tests).
export function palette(doc = globalThis.document) {
  return listed('team-colours', FALLBACK, doc);
}

// The colour of the team at `index` in its lesson.
export function teamColour(index, colours = palette()) {
  return colours[((index % colours.length) + colours.length) % colours.length];
}

// The marker shape of the team at `index` (the server's TEAM_SYMBOLS, in <meta
// name="team-symbols">): no two teams are told apart by colour alone.
export function teamSymbol(index, symbols = listed('team-symbols', ['circle'])) {
  return symbols[((index % symbols.length) + symbols.length) % symbols.length];
}

// "3 · Owls", or the page's "Team {n}" for a team without a name.
export function teamLabel(number, name, teamN = 'Team {n}') {
  return name ? `${number} · ${name}` : teamN.replace('{n}', number);
}
