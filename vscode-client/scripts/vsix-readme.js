// Write dist/README.md: README.md with its relative images inlined as data: URIs.
// The extension details page in VS Code cannot load relative images from an installed .vsix,
// and the repository has no public URL to point them at.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const text = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const out = text.replace(/!\[([^\]]*)\]\(((?!https?:|data:)[^)\s]+\.png)\)/g, (_m, alt, rel) => {
    const data = fs.readFileSync(path.join(root, rel)).toString('base64');
    return `![${alt}](data:image/png;base64,${data})`;
});
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', 'README.md'), out);
