// Teams as every screen names and colours them. The palette is the server's
// (app/web/templating.py TEAM_COLOURS), written once into each page that draws teams as
// <meta name="team-colours" content="#1f77b4 #d62728 ...">, so a team keeps its colour on
// the phone, the projector, the monitor and the report.

const FALLBACK = ['#1f77b4'];

// The palette of this page (or of `doc`, for tests).
export function palette(doc = globalThis.document) {
  const meta = doc?.querySelector?.('meta[name="team-colours"]');
  const colours = meta ? meta.content.split(/\s+/).filter(Boolean) : [];
  return colours.length ? colours : FALLBACK;
}

// The colour of the team at `index` in its lesson.
export function teamColour(index, colours = palette()) {
  return colours[((index % colours.length) + colours.length) % colours.length];
}

// "3 · Owls", or the page's "Team {n}" for a team without a name.
export function teamLabel(number, name, teamN = 'Team {n}') {
  return name ? `${number} · ${name}` : teamN.replace('{n}', number);
}
