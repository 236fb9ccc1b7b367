// Privacy-first videos: the host's player replaces our poster only after the
// reader asks for it. Without JavaScript the play link opens the video's page.
document.addEventListener("click", (event) => {
  const play = event.target.closest(".video__play");
  const frame = play && play.closest(".video__frame[data-embed]");
  if (!frame) return;
  event.preventDefault();
  const player = document.createElement("iframe");
  player.src = frame.dataset.embed;
  player.title = frame.dataset.title || "";
  player.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
  player.allowFullscreen = true;
  player.referrerPolicy = "strict-origin-when-cross-origin";
  frame.replaceChildren(player);
  player.focus();
});
