// pecta-proxy: being built (issue #4).
export {};
