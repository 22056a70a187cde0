// The instructor's console: confirm before what cannot be taken back, print the slips.
// A form asks before it is sent (data-confirm on the form), or a button before it sends
// its form (data-confirm on the button: a level's Close and Reveal, beside Reopen).

document.querySelectorAll('form').forEach((form) => {
  form.addEventListener('submit', (event) => {
    const question = event.submitter?.dataset.confirm ?? form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
});
document.getElementById('print')?.addEventListener('click', () => window.print());
