// The instructor's console: confirm before removing, print the slips.

document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
document.getElementById('print')?.addEventListener('click', () => window.print());
