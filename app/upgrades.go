package app

// registerUpgradeHandlers is where named upgrades plug in. ADF has not shipped
// an upgrade yet; x/upgrade is wired so the consortium can schedule one by
// proposal (MsgSoftwareUpgrade signed by the consortium authority).
func (app *App) registerUpgradeHandlers() {}
