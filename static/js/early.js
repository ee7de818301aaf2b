// Runs before the first paint (a blocking script in <head>, kept tiny): marks the page as scripted so the
// stylesheet folds the phone menu from the start, instead of nav.js folding it later and shifting the page.
document.documentElement.classList.add("js");
