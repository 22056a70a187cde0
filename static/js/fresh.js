// A page of live state (a team's levels): shown again by the back button from the
// browser's back-forward cache, it would show what was true before (an "Enter" on a level
// already entered). Load it afresh instead.

window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});
