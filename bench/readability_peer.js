#!/usr/bin/env node
// The peer for `make extract-eval`: Mozilla's Readability.js on jsdom, called
// like newswatch (`readability_peer.js extract PAGE --url URL`) so that both
// pay one process start per page and are timed alike.  The modules come from
// bench/peer/node_modules, which extract_eval.py installs.
"use strict";
const fs = require("fs");
const path = require("path");
const mods = path.join(__dirname, "peer", "node_modules");
const { JSDOM, VirtualConsole } = require(path.join(mods, "jsdom"));
const { Readability } = require(path.join(mods, "@mozilla", "readability"));

const args = process.argv.slice(2);
const page = args[1];
const url = args[args.indexOf("--url") + 1];
// A Buffer lets jsdom sniff the charset from the BOM and <meta charset>.
const dom = new JSDOM(fs.readFileSync(page), { url, virtualConsole: new VirtualConsole() });
const r = new Readability(dom.window.document).parse() || {};
// textContent runs paragraphs together ("end.Next"); a line break before each
// block reads the article as its HTML shows it, as newswatch's text does.
const text = r.content ? JSDOM.fragment(r.content.replace(
	/<(\/?)(p|div|br|li|h[1-6]|blockquote|pre|tr|td|th|dd|dt|section|article|figcaption)\b/gi,
	"\n<$1$2")).textContent : null;
process.stdout.write(JSON.stringify({
	title: r.title || null,
	authors: r.byline ? [r.byline] : [],
	description: r.excerpt || null,
	published: r.publishedTime || null,
	site_name: r.siteName || null,
	language: r.lang || null,
	text,
}));
