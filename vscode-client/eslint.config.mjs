// ESLint for the extension's TypeScript (`make check`): the recommended JavaScript rules and
// typescript-eslint's recommended type-aware rules, which catch floating promises and other
// bugs that tsc --strict lets through.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "bundled/", "node_modules/", "scripts/", "python/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["src/**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
);
