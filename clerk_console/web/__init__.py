"""The console in a browser (``clerk-console serve-web``): the page textual-serve shows, in Chinese."""
