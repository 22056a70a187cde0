// The lesson menu fills the join-code field, which stays editable for typed codes.
document.getElementById('lesson_pick')?.addEventListener('change', (event) => {
  document.getElementById('join_code').value = event.target.value;
});
