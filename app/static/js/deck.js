// Swipe deck: arrow keys and touch swipes press the same buttons as a mouse click, so every path
// goes through the one form (which also works without JavaScript).
(function () {
  "use strict";

  function press(key) {
    var button = document.querySelector('.swipe-actions button[data-key="' + key + '"]');
    if (button && !button.disabled) {
      // A key pressed right after a swap may beat htmx's processing of the new form.
      if (window.htmx) window.htmx.process(button.form);
      button.click();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (["ArrowLeft", "ArrowRight", "ArrowDown"].indexOf(event.key) === -1) return;
    if (press(event.key)) event.preventDefault();
  });

  var startX = null, startY = null, card = null;
  document.addEventListener("pointerdown", function (event) {
    card = event.target.closest && event.target.closest(".job-card");
    if (!card || event.pointerType === "mouse") { card = null; return; }
    startX = event.clientX; startY = event.clientY;
  });
  document.addEventListener("pointermove", function (event) {
    if (!card || startX === null) return;
    var dx = event.clientX - startX;
    card.style.transform = "translateX(" + dx + "px) rotate(" + dx / 30 + "deg)";
  });
  document.addEventListener("pointerup", function (event) {
    if (!card || startX === null) return;
    var dx = event.clientX - startX, dy = event.clientY - startY;
    card.style.transform = "";
    if (Math.abs(dx) > 90 && Math.abs(dx) > Math.abs(dy)) press(dx > 0 ? "ArrowRight" : "ArrowLeft");
    else if (dy > 120 && Math.abs(dy) > Math.abs(dx)) press("ArrowDown");
    startX = startY = null; card = null;
  });

  // After htmx swaps in the next card, move focus to it so keyboard and screen-reader users follow.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "deck") {
      var next = document.getElementById("job-card") || document.querySelector("#deck h2");
      if (next) { next.setAttribute("tabindex", "-1"); next.focus({ preventScroll: false }); }
    }
  });
})();
