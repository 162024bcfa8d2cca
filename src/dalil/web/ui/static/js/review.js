// Keyboard shortcuts of the review queue: s = same, d = different, u = unsure, k = skip.
// Each key presses the button or link that carries data-key (the buttons work without it).
// Keys typed into a field (the note) are left alone, as are keys with a modifier. Arabic
// keyboard layouts work too (by the key's place).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var key = (event.key || "").toLowerCase();
    // With an Arabic (or other non-Latin) keyboard layout the S key types "س": the key's place
    // decides then. On a Latin layout the letter typed decides (AZERTY, Dvorak...).
    var place = /^Key([SDUK])$/.exec(event.code || "");
    if (place && !/^[a-z]$/.test(key)) key = place[1].toLowerCase();
    var control = document.querySelector('[data-key="' + key + '"]');
    if (!control || !/^[sduk]$/.test(key)) return;
    event.preventDefault();
    if (control.dataset.busy) return;
    control.dataset.busy = "1";  // one press, one judgement
    control.click();
  });
})();
