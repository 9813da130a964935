export * from "./daily/index";
export * from "./stripe/index";
