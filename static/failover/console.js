// The console's only script of its own. The Content-Security-Policy allows
// no inline handlers, so forms that need a confirmation say so in
// data-confirm and this asks (also for forms htmx swaps in later).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
