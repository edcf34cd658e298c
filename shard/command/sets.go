package command

func setCommands() []*Spec {
	return nil
}
